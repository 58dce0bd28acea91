// The transfer engine's entry, as dist/extension.js is the extension's (src/vscode/entry.ts): it loads the engine,
// transfer-engine-main.js beside it, with V8's code cache, kept beside it too (one folder per Node, a cache being
// one Node's), written by the first run as the editor's first session writes the extension's.
import path from "node:path";
import { requireWithCodeCache } from "../src/adapters/vendor/codeCache.ts";

requireWithCodeCache(path.join(__dirname, "transfer-engine-main.js"), path.join(__dirname, `code-cache-${process.version}`));
