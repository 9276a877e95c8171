// Imported first by bench/run.ts. The functions are given their settings by their composition
// roots, never through the environment; this only quiets the AWS SDK's notice about Node 20 (the
// local tools run on it; Lambda runs Node 22), as bin/dossier-monitor.mjs does.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
