// `koa2` is the dev-dependency alias of Koa 2 (npm:koa@^2), which ships no types of its own; its
// API is the one @types/koa describes.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}

// The lowest versions the peer ranges accept: `koa-2.13` (npm:koa@2.13.0) and `koa-router-12`
// (npm:@koa/router@12.0.0, which ships no types either; its API is a subset of what 15 declares).
declare module 'koa-2.13' {
  import Koa from 'koa';
  export default Koa;
}

declare module 'koa-router-12' {
  import Router from '@koa/router';
  export default Router;
}
