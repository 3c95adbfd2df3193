import { mountTemplate, routePathTemplate } from './route-template.js';

// Per-request state lives in a WeakMap, never in a field of the request: Express gives every
// request its own hidden class (it swaps prototypes per request), so each field added to a
// request costs V8 a new map (a WeakMap entry costs less than half as much). The routers' own
// `route` and `baseUrl` go there too, behind the accessors, so a request followed here gets no
// field added at all where Express alone adds two.
const states = new WeakMap<object, RouteCapture>();
// On a request prototype that carries the accessors (inherited by mounted apps' prototypes).
const kAccessors = Symbol('@statsd/express accessors');

/** The request fields read and written here. */
interface RoutedRequest {
  route?: unknown;
  baseUrl?: unknown;
  params?: unknown;
}

/** The request prototype of an Express application (`app.request`), as far as it is read here. */
interface RequestPrototype {
  [kAccessors]?: true;
}

/** Express's `Route` as far as it is read here. */
interface RouteLike {
  readonly path?: unknown;
}

/** Whole route templates by route, then by the template of the base it was matched under. */
const routeTemplates = new WeakMap<object, Map<string, string>>();
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
  /** What the routers last wrote into `req.route`, kept behind the accessor. */
  route: unknown = undefined;
  /** What the routers last wrote into `req.baseUrl`, kept behind the accessor. */
  baseUrl: unknown = undefined;
  // Only requests a middleware follows track their bases; the others only store the two values.
  #following = false;
  #routeBase = '';
  // The routers the request is inside, outermost first: matched text and template of each base.
  readonly #bases: string[] = [''];
  readonly #templates: string[] = [''];

  private constructor() {}

  /**
   * The capture of `req`, created and hooked in on first use (a second middleware on the same
   * request shares it). Throws only if the request's prototype cannot take the accessors.
   */
  static attach(req: object): RouteCapture {
    const routed = req as RoutedRequest;
    let capture = states.get(req);
    if (capture === undefined) {
      // No router wrote through the accessors yet: they may be missing, and values a router
      // wrote before they were reachable (Express 4 sets `baseUrl` before it gives the request
      // the application's prototype) move behind them.
      const prototype = Object.getPrototypeOf(req) as RequestPrototype | null;
      if (prototype?.[kAccessors] !== true) installAccessors(req);
      capture = RouteCapture.#stateOf(routed);
      if (Object.hasOwn(req, 'baseUrl')) capture.baseUrl = takeOwn(routed, 'baseUrl');
      if (Object.hasOwn(req, 'route')) capture.route = takeOwn(routed, 'route');
    } else if (capture.#following) {
      return capture;
    }
    capture.#following = true;
    capture.#enterBase(capture.baseUrl, routed);
    capture.#routeBase = capture.#templates[capture.#templates.length - 1] as string;
    return capture;
  }

  /** The capture attached to `req`, if any. */
  static of(req: object): RouteCapture | undefined {
    const capture = states.get(req);
    return capture !== undefined && capture.#following ? capture : undefined;
  }

  /** The state of `req`, created on the first write of a router. */
  static #stateOf(req: RoutedRequest): RouteCapture {
    let capture = states.get(req);
    if (capture === undefined) {
      capture = new RouteCapture();
      states.set(req, capture);
    }
    return capture;
  }

  /**
   * The template of the route that handled the request last, mount templates included
   * (`/orgs/:orgId/users/:id`), or `undefined` if none did. Remembered per route and base, so a
   * request to a known route builds no string.
   */
  routeTemplate(): string | undefined {
    const route = this.route;
    if (typeof route !== 'object' || route === null) return undefined;
    const base = this.#routeBase;
    let templates = routeTemplates.get(route);
    let template = templates?.get(base);
    if (template !== undefined) return template;
    template = base + routePathTemplate((route as RouteLike).path);
    if (templates === undefined) {
      templates = new Map();
      routeTemplates.set(route, templates);
    } else if (templates.size >= MAX_BASES_PER_ROUTE) {
      templates.clear();
    }
    templates.set(base, template);
    return template;
  }

  /** A router wrote `req.route`: the route was matched under the innermost base. */
  static routeWritten(req: object, value: unknown): void {
    const capture = RouteCapture.#stateOf(req);
    capture.route = value;
    if (capture.#following) {
      capture.#routeBase = capture.#templates[capture.#templates.length - 1] as string;
    }
  }

  /** A router wrote `req.baseUrl`: into a mounted router, or back out of one. */
  static baseUrlWritten(req: object, value: unknown): void {
    const capture = RouteCapture.#stateOf(req);
    capture.baseUrl = value;
    if (capture.#following) capture.#enterBase(value, req);
  }

  /** Keeps the stack of bases in step: back to a known base, or into a new mounted router. */
  #enterBase(value: unknown, req: RoutedRequest): void {
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
            // The mount's parameters are in `req.params` while its router is entered.
            (this.#templates[i] as string) + mountTemplate(base.slice(known.length), req.params),
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
    return states.get(this)?.route;
  },
  set(this: RoutedRequest, value: unknown): void {
    RouteCapture.routeWritten(this, value);
  },
};

const BASE_URL_PROPERTY: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: RoutedRequest): unknown {
    return states.get(this)?.baseUrl;
  },
  set(this: RoutedRequest, value: unknown): void {
    RouteCapture.baseUrlWritten(this, value);
  },
};
