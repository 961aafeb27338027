// Copies the socket.io browser client from node_modules into web/vendor/,
// where widget.js loads it from (run by `npm ci` / `npm install` / `npm run build`).
"use strict";
const fs = require("fs");
const path = require("path");

const web = path.resolve(__dirname, "..");
const files = [
  ["node_modules/socket.io-client/dist/socket.io.min.js", "vendor/socket.io.min.js"],
  ["node_modules/socket.io-client/dist/socket.io.min.js.map", "vendor/socket.io.min.js.map"],
];
fs.mkdirSync(path.join(web, "vendor"), { recursive: true });
for (const [from, to] of files) {
  const src = path.join(web, from);
  if (!fs.existsSync(src)) {
    if (to.endsWith(".map")) continue;
    console.error(`copy-vendor: ${from} is missing; run npm ci in web/ first`);
    process.exit(1);
  }
  fs.copyFileSync(src, path.join(web, to));
}
const version = require(path.join(web, "node_modules/socket.io-client/package.json")).version;
console.log(`copy-vendor: socket.io-client ${version} -> web/vendor/socket.io.min.js`);
