// The import graph's rules, checked by `npm run lint` (dependency-cruiser). The layers, top to
// bottom: http → app → render → domain, with contracts (what infra and runtime share) beside the
// domain and adapters implementing app's ports; functions/, cli/, dev/, bench/ wire them. The
// README's "Architecture" section says the same in words.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "A cycle makes two modules one: neither can be read, tested or moved without the other.",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-imports-only-domain",
      severity: "error",
      comment: "lib/domain is pure rules, no I/O: it imports nothing of the other layers.",
      from: { path: "^lib/domain/" },
      to: { path: "^lib/(app|http|render|adapters|contracts)/" },
    },
    {
      name: "contracts-import-only-domain",
      severity: "error",
      comment: "lib/contracts is shared by infra and runtime: it may use the domain's types, nothing above.",
      from: { path: "^lib/contracts/" },
      to: { path: "^lib/(app|http|render|adapters)/" },
    },
    {
      name: "render-imports-only-domain",
      severity: "error",
      comment:
        "lib/render turns the domain's values into text and files; the use cases call it, not the reverse.",
      from: { path: "^lib/render/" },
      to: { path: "^lib/(app|http|adapters|contracts)/" },
    },
    {
      name: "app-imports-no-http-or-adapters",
      severity: "error",
      comment:
        "lib/app's use cases work over their ports (lib/app/ports.ts), never over an adapter or an API.",
      from: { path: "^lib/app/" },
      to: { path: "^lib/(http|adapters)/" },
    },
    {
      name: "http-imports-no-adapters",
      severity: "error",
      comment:
        "lib/http reaches storage through the use cases and their ports; functions/ wires the adapters.",
      from: { path: "^lib/http/" },
      to: { path: "^lib/adapters/" },
    },
    {
      name: "adapters-import-no-http",
      severity: "error",
      comment: "lib/adapters implement the ports; they know nothing of the APIs or of how text is rendered.",
      from: { path: "^lib/adapters/" },
      to: { path: "^lib/(http|render)/" },
    },
    {
      name: "lib-imports-nothing-outside",
      severity: "error",
      comment:
        "lib/ is what runs; the composition roots, the CLI, the local stack, the bench and the tests use it, not the reverse.",
      from: { path: "^lib/" },
      to: { path: "^(functions|cli|bench|dev|tests|infra|scripts)/" },
    },
    {
      name: "aws-sdk-only-in-adapters",
      severity: "error",
      comment:
        "Inside lib/, only lib/adapters imports @aws-sdk/* (functions/ builds the clients and hands them over).",
      from: { path: "^lib/", pathNot: "^lib/adapters/" },
      to: { path: "node_modules/@aws-sdk/" },
    },
    {
      name: "runtime-imports-no-dev",
      severity: "error",
      comment:
        "functions/ is bundled into Lambda: it may not import the local stack, the CLI, the bench or the tests.",
      from: { path: "^functions/" },
      to: { path: "^(cli|bench|dev|tests|infra|scripts)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|cdk\\.out|dist)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".mjs", ".js", ".json"] },
  },
};
