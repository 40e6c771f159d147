// Preloaded into a command's own process (node --import): on exit, prints its peak resident memory
// to stderr as `peak-rss-kb N`, so a benchmark measures the real command, start-up included.
import { writeSync } from "node:fs";

process.on("exit", () => {
  writeSync(2, `peak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
