// `npm test` must run on the Node 24 that the `node` devDependency provides, never the system one.
const major = Number(process.versions.node.split(".")[0]);
if (major !== 24) {
  console.error(
    `Beseda needs Node 24; this is ${process.version}. Run it through npm scripts after npm ci.`,
  );
  process.exit(1);
}
