import { mountTemplate, routePathTemplate } from './route-template.js';

const kCapture = Symbol('@statsd/express route capture');

/** The request fields the routers of Express 4 and 5 write while they dispatch. */
interface RoutedRequest {
  route?: unknown;
  baseUrl?: unknown;
  params?: unknown;
  [kCapture]?: RouteCapture;
}

/**
 * Follows a request through the routers to learn which route template handled it.
 *
 * By the time the response closes, Express has often rewound its routing state: a router
 * restores `req.baseUrl` when an error (or `next()`) leaves it, so an error handler in the app
 * sees the nested `req.route` with the app's `baseUrl`. And `req.baseUrl` holds the matched
 * text (`/orgs/42`), never the mount template. So the capture turns `route` and `baseUrl` into
 * accessors on the request: the routers keep reading and writing them as before, while the
 * capture records the mount template on every `baseUrl` change (when `req.params` holds the
 * mount's parameters) and, on every `route` change, the template of the base it was set under.
 */
export class RouteCapture {
  #route: unknown;
  #routeBase = '';
  #baseUrl: unknown;
  // The routers the request is inside, outermost first: matched text and template of each base.
  readonly #bases: string[] = [''];
  readonly #templates: string[] = [''];

  private constructor(req: RoutedRequest) {
    this.#route = req.route;
    this.setBaseUrl(req.baseUrl, req.params);
    this.#routeBase = this.#templates[this.#templates.length - 1] as string;
  }

  /**
   * The capture of `req`, created and hooked in on first use (a second middleware on the same
   * request shares it). Throws only if the request's properties cannot be redefined.
   */
  static attach(req: object): RouteCapture {
    const routed = req as RoutedRequest;
    const existing = routed[kCapture];
    if (existing !== undefined) return existing;
    const capture = new RouteCapture(routed);
    Object.defineProperty(req, kCapture, { value: capture, configurable: true });
    Object.defineProperty(req, 'route', ROUTE_PROPERTY);
    Object.defineProperty(req, 'baseUrl', BASE_URL_PROPERTY);
    return capture;
  }

  /** The template of the route that handled the request last, or `undefined` if none did. */
  template(): string | undefined {
    const route = this.#route;
    if (typeof route !== 'object' || route === null) return undefined;
    return this.#routeBase + routePathTemplate((route as { path?: unknown }).path);
  }

  get route(): unknown {
    return this.#route;
  }

  set route(value: unknown) {
    this.#route = value;
    this.#routeBase = this.#templates[this.#templates.length - 1] as string;
  }

  get baseUrl(): unknown {
    return this.#baseUrl;
  }

  /** Keeps the stack of bases in step: back to a known base, or into a new mounted router. */
  setBaseUrl(value: unknown, params: unknown): void {
    this.#baseUrl = value;
    const base = typeof value === 'string' ? value : '';
    const bases = this.#bases;
    for (let i = bases.length - 1; i >= 0; i--) {
      const known = bases[i] as string;
      if (base === known || base.startsWith(known)) {
        bases.length = i + 1;
        this.#templates.length = i + 1;
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

// One pair of accessors for every request: the state lives in the request's capture.
const ROUTE_PROPERTY: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: RoutedRequest): unknown {
    return this[kCapture]?.route;
  },
  set(this: RoutedRequest, value: unknown): void {
    const capture = this[kCapture];
    if (capture !== undefined) capture.route = value;
  },
};

const BASE_URL_PROPERTY: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: RoutedRequest): unknown {
    return this[kCapture]?.baseUrl;
  },
  set(this: RoutedRequest, value: unknown): void {
    this[kCapture]?.setBaseUrl(value, this.params);
  },
};
