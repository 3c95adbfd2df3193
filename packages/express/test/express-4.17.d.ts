// `express-4.17` is the dev-dependency alias of the lowest Express the peer range accepts
// (npm:express@4.17.0), which ships no types of its own; its API is the one @types/express 4
// describes.
declare module 'express-4.17' {
  import express from 'express4';
  export default express;
}
