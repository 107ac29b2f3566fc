// Preloaded (node --require) into every measured process: at exit it writes the process's own
// peak resident memory and CPU time (getrusage, the figures /usr/bin/time reports) to
// BENCH_USAGE_FILE.
const fs = require("fs");

process.on("exit", () => {
    const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
    fs.writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({
        maxRssKiB: maxRSS, cpuMs: (userCPUTime + systemCPUTime) / 1000,
    }));
});
