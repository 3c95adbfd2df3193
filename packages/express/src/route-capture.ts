import { routeMetricName } from '@statsd/core/framework';
import { mountTemplate, routePathTemplate } from './route-template.js';

// Per-request state, kept in symbol-keyed fields that are added in the same order on every
// request, so that requests keep one hidden class instead of turning into dictionaries.
const kCapture = Symbol('@statsd/express route capture');
const kRoute = Symbol('@statsd/express route');
const kBaseUrl = Symbol('@statsd/express baseUrl');
// On a request prototype that carries the accessors (inherited by mounted apps' prototypes).
const kAccessors = Symbol('@statsd/express accessors');

/** The request fields the routers of Express 4 and 5 write while they dispatch. */
interface RoutedRequest {
  route?: unknown;
  baseUrl?: unknown;
  params?: unknown;
  [kCapture]?: RouteCapture;
  [kRoute]?: unknown;
  [kBaseUrl]?: unknown;
}

/** The request prototype of an Express application (`app.request`), as far as it is read here. */
interface RequestPrototype {
  [kAccessors]?: true;
}

/** Express's `Route` as far as it is read here. */
interface RouteLike {
  readonly path?: unknown;
}

/** Metric names by route, then by the template of the base it was matched under. */
const routeNames = new WeakMap<object, Map<string, string>>();
// Bases per route are mount templates from the application's code; the cap guards the rest.
const MAX_BASES_PER_ROUTE = 100;

/**
 * Follows a request through the routers to learn which route template handled it.
 *
 * By the time the response closes, Express has often rewound its routing state: a router
 * restores `req.baseUrl` when an error (or `next()`) leaves it, so an error handler in the app
 * sees the nested `req.route` with the app's `baseUrl`. And `req.baseUrl` holds the matched
 * text (`/orgs/42`), never the mount template. So `route` and `baseUrl` become accessors: the
 * routers keep reading and writing them as before, while the capture records the mount template
 * on every `baseUrl` change (when `req.params` holds the mount's parameters) and, on every
 * `route` change, the template of the base it was set under.
 *
 * The accessors are installed once, on the application's request prototype (which the
 * prototypes of mounted apps inherit from), never per request: redefining properties on every
 * request cost more than the rest of the middleware together.
 */
export class RouteCapture {
  #routeBase = '';
  // The routers the request is inside, outermost first: matched text and template of each base.
  readonly #bases: string[] = [''];
  readonly #templates: string[] = [''];

  private constructor(req: RoutedRequest) {
    this.setBaseUrl(req[kBaseUrl], req.params);
    this.#routeBase = this.#templates[this.#templates.length - 1] as string;
  }

  /**
   * The capture of `req`, created and hooked in on first use (a second middleware on the same
   * request shares it). Throws only if the request's prototype cannot take the accessors.
   */
  static attach(req: object): RouteCapture {
    const routed = req as RoutedRequest;
    const existing = routed[kCapture];
    if (existing !== undefined) return existing;
    const prototype = Object.getPrototypeOf(req) as RequestPrototype | null;
    if (prototype?.[kAccessors] !== true) installAccessors(req);
    // Values a router wrote before the accessors were reachable (Express 4 sets `baseUrl` before
    // it gives the request the application's prototype) move behind the accessors.
    if (Object.hasOwn(req, 'baseUrl')) routed[kBaseUrl] = takeOwn(routed, 'baseUrl');
    if (Object.hasOwn(req, 'route')) routed[kRoute] = takeOwn(routed, 'route');
    const capture = new RouteCapture(routed);
    routed[kCapture] = capture;
    return capture;
  }

  /** The capture attached to `req`, if any. */
  static of(req: object): RouteCapture | undefined {
    return (req as RoutedRequest)[kCapture];
  }

  /**
   * The metric path of the route that handled `req` last, or `undefined` if none did.
   * Remembered per route and base, so a request to a known route builds no string.
   */
  routeName(req: object): string | undefined {
    const route = (req as RoutedRequest)[kRoute];
    if (typeof route !== 'object' || route === null) return undefined;
    const base = this.#routeBase;
    let names = routeNames.get(route);
    let name = names?.get(base);
    if (name !== undefined) return name;
    name = routeMetricName(base + routePathTemplate((route as RouteLike).path));
    if (names === undefined) {
      names = new Map();
      routeNames.set(route, names);
    } else if (names.size >= MAX_BASES_PER_ROUTE) {
      names.clear();
    }
    names.set(base, name);
    return name;
  }

  /** A route was set: it was matched under the innermost base. */
  routeSet(): void {
    this.#routeBase = this.#templates[this.#templates.length - 1] as string;
  }

  /** Keeps the stack of bases in step: back to a known base, or into a new mounted router. */
  setBaseUrl(value: unknown, params: unknown): void {
    const base = typeof value === 'string' ? value : '';
    const bases = this.#bases;
    for (let i = bases.length - 1; i >= 0; i--) {
      const known = bases[i] as string;
      if (base === known || base.startsWith(known)) {
        // Setting `length` costs even when it changes nothing, and most writes change nothing.
        if (bases.length !== i + 1) {
          bases.length = i + 1;
          this.#templates.length = i + 1;
        }
        if (base !== known) {
          bases.push(base);
          this.#templates.push(
            (this.#templates[i] as string) + mountTemplate(base.slice(known.length), params),
          );
        }
        return;
      }
    }
  }
}

function takeOwn(req: RoutedRequest, key: 'baseUrl' | 'route'): unknown {
  const value = req[key];
  delete req[key];
  return value;
}

/**
 * Puts the accessors on the outermost application prototype above `req`: Express links a
 * mounted app's `app.request` to its parent's, so requests keep the accessors inside mounted
 * apps and after leaving them. Requests that no middleware captures only store the values.
 */
function installAccessors(req: object): void {
  let target = Object.getPrototypeOf(req) as object | null;
  if (target === null) throw new TypeError('a request without a prototype');
  for (
    let above = Object.getPrototypeOf(target) as object | null;
    above !== null && Object.hasOwn(above, 'app');
    above = Object.getPrototypeOf(above) as object | null
  ) {
    target = above;
  }
  Object.defineProperties(target, {
    route: ROUTE_PROPERTY,
    baseUrl: BASE_URL_PROPERTY,
    [kAccessors]: { value: true, configurable: true },
  });
}

const ROUTE_PROPERTY: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: RoutedRequest): unknown {
    return this[kRoute];
  },
  set(this: RoutedRequest, value: unknown): void {
    this[kRoute] = value;
    this[kCapture]?.routeSet();
  },
};

const BASE_URL_PROPERTY: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: RoutedRequest): unknown {
    return this[kBaseUrl];
  },
  set(this: RoutedRequest, value: unknown): void {
    this[kBaseUrl] = value;
    this[kCapture]?.setBaseUrl(value, this.params);
  },
};
