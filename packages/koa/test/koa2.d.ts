// `koa2` is the dev-dependency alias of Koa 2 (npm:koa@^2), which ships no types of its own; its
// API is the one @types/koa describes.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
