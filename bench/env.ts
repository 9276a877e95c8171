// Imported first by bench/run.ts: settings that modules read when they load.
process.env.TABLE_NAME ??= "bench-unused";
process.env.POWERTOOLS_METRICS_DISABLED = "true";
process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
