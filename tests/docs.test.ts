import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { validateConfig } from "../lib/settings.ts";

const ROOT = path.join(import.meta.dirname, "..");
const PAGES = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter(f => f.endsWith(".md")).map(f => `docs/${f}`)];
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** The page's lines outside fenced code blocks. */
function prose(text: string): string[] {
    let fenced = false;
    return text.split("\n").filter(line => {
        if (line.startsWith("```")) {
            fenced = !fenced;
            return false;
        }
        return !fenced;
    });
}

/** A heading's anchor as GitHub makes it (github-slugger): lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\-_ ]/gu, "").replace(/ /g, "-");

function anchors(file: string): Set<string> {
    const seen = new Map<string, number>();
    const result = new Set<string>();
    for (const line of prose(read(file))) {
        const heading = /^#{1,6} (.*)$/.exec(line);
        if (heading) {
            const base = anchorOf(heading[1]);
            const n = seen.get(base) ?? 0;
            seen.set(base, n + 1);
            result.add(n === 0 ? base : `${base}-${n}`);
        }
    }
    return result;
}

/** The cells of a table row: `|` not escaped as `\|`. */
const cells = (row: string) => row.replace(/\\\|/g, "").split("|").length;

describe("the README and docs/", () => {
    it("are the README and one page per topic", () => {
        for (const page of ["configuration", "adopt", "rotation", "exchange", "commands", "deliver", "ci", "policy", "development", "leak-runbook"]) {
            assert.ok(PAGES.includes(`docs/${page}.md`), page);
        }
    });

    it("link only to files that exist and to headings those files have", () => {
        let count = 0;
        for (const page of PAGES) {
            for (const line of prose(read(page))) {
                for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
                    if (/^https?:/.test(target)) {
                        continue;
                    }
                    count++;
                    const [file, anchor] = target.split("#");
                    const linked = file === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
                    assert.ok(fs.existsSync(path.join(ROOT, linked)), `${page}: ${target}: no file ${linked}`);
                    if (anchor !== undefined) {
                        assert.ok(anchors(linked).has(anchor), `${page}: ${target}: no such heading in ${linked}`);
                    }
                }
            }
        }
        assert.ok(count > 50, `${count} links`);
    });

    it("close every code fence and give every table row the header's cells", () => {
        for (const page of PAGES) {
            const lines = read(page).split("\n");
            assert.strictEqual(lines.filter(line => line.startsWith("```")).length % 2, 0, `${page}: an open code fence`);
            for (const [i, line] of lines.entries()) {
                // A table: a header row followed by its delimiter row.
                if (/^\|(\s*:?-+:?\s*\|)+$/.test(line)) {
                    const width = cells(lines[i - 1]);
                    for (let j = i + 1; j < lines.length && lines[j].startsWith("|"); j++) {
                        assert.strictEqual(cells(lines[j]), width, `${page}:${j + 1}: ${lines[j].slice(0, 60)}`);
                    }
                }
            }
        }
    });

    it("show in the quick start a stack file the program accepts, every key with the project's prefix", () => {
        const block = /```yaml\n([\s\S]*?)```/.exec(read("README.md"));
        assert.ok(block, "a yaml block");
        const config: Record<string, unknown> = parse(block[1]).config;
        // pulumi prefixes a key with the project's name, from Pulumi.yaml's name.
        const prefix = `${parse(read("Pulumi.yaml")).name}:`;
        assert.deepStrictEqual(Object.keys(config), ["creatio-m365-oauth:siteName", "creatio-m365-oauth:creatioVersion"]);
        const settings = validateConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [key.slice(prefix.length), String(value)])));
        assert.strictEqual(settings.siteBaseUrl, "https://acme.creatio.com");
        assert.strictEqual(settings.profile, "7.17+");
        assert.ok(read("README.md").includes("npm run -s plan -- --stack acme-prod"));
    });

    it("show in docs/configuration.md a stack file the program accepts", () => {
        const block = /```yaml\n([\s\S]*?)```/.exec(read("docs/configuration.md"));
        assert.ok(block, "a yaml block");
        const config: Record<string, unknown> = parse(block[1]).config;
        const prefix = "creatio-m365-oauth:";
        assert.ok(Object.keys(config).every(key => key.startsWith(prefix)), Object.keys(config).join());
        // Config values as the Pulumi CLI hands them to the program: lists as JSON, everything else as text.
        const settings = validateConfig(Object.fromEntries(Object.entries(config).map(
            ([key, value]) => [key.slice(prefix.length), typeof value === "object" ? JSON.stringify(value) : String(value)])));
        assert.strictEqual(settings.siteBaseUrl, "https://crm.example.com/creatio");
        assert.strictEqual(settings.netCore, true);
        assert.deepStrictEqual(settings.owners, ["00000000-0000-4000-8000-000000000001"]);
    });

    it("hold the sections the program's messages point to", () => {
        let count = 0;
        for (const dir of ["lib", "ops", "components", "policy", "bootstrap", "index.ts", "Pulumi.yaml"]) {
            const files = fs.statSync(path.join(ROOT, dir)).isDirectory()
                ? fs.readdirSync(path.join(ROOT, dir), { recursive: true }).map(f => path.join(dir, String(f))).filter(f => /\.(ts|yaml)$/.test(f))
                : [dir];
            for (const file of files) {
                for (const [, page, section] of read(file).matchAll(/docs\/([\w-]+\.md)(?:, "?([A-Z][^".;)]*))?/g)) {
                    count++;
                    assert.ok(PAGES.includes(`docs/${page}`), `${file}: docs/${page}`);
                    if (section !== undefined) {
                        assert.ok(read(`docs/${page}`).includes(section), `${file}: docs/${page} has no "${section}"`);
                    }
                }
            }
        }
        assert.ok(count >= 4, `${count} pointers`);
    });
});
