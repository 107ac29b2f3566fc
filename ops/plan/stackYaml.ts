/**
 * YAML as pulumi reads Pulumi.yaml and stack files: with Go's gopkg.in/yaml.v3 v3.0.1 (pulumi/pulumi
 * sdk/go/common/encoding/marshal.go), decoded into Go's `any`. Pure: text in, values out.
 *
 * The `yaml` package parses (failsafe schema: every scalar as written, no quadratic unique-key check);
 * what yaml.v3 does on top is ported here with the file and line of go-yaml/yaml it follows: the
 * bytes' encoding (readerc.go), the first document only (yaml.go unmarshal), plain scalars (resolve.go),
 * merge keys, duplicate keys and aliases (decode.go).
 */
import { Alias, Document, LineCounter, type Node, Scalar, isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit } from "yaml";
import { shownKey } from "../../lib/configKeys.ts";
import { quoted } from "../../lib/configProblems.ts";
import { printable } from "../printable.ts";

/** A file pulumi up refuses too, or one plan cannot read as pulumi up would: the message says which. */
export class YamlRefusal extends Error {
    constructor(message: string) {
        super(message);
        this.name = "YamlRefusal";
    }
}

function refuse(message: string): never {
    throw new YamlRefusal(message);
}

/** A scalar pulumi up cannot pass as written; the reader adds the keys it is under. */
class ScalarRefusal extends Error {
    readonly path: string[] = [];
    readonly source: string;
    readonly reason: string;

    constructor(source: string, reason: string) {
        super(reason);
        this.source = source;
        this.reason = reason;
    }
}

/** A YAML number: the text pulumi passes for it (Go's JSON of the int64, uint64 or float64), and as written. */
export class GoNumber {
    readonly text: string;
    readonly source: string;

    constructor(text: string, source: string) {
        this.text = text;
        this.source = source;
    }
}

/** A YAML value as yaml.v3 decodes it into Go's `any`. */
export type YamlValue = string | boolean | null | GoNumber | YamlValue[] | { [key: string]: YamlValue };

export function isRecord(value: unknown): value is { [key: string]: YamlValue } {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof GoNumber);
}

/**
 * A file's bytes as text. pulumi strips a UTF-8 byte order mark (loaders.go readFileStripUTF8BOM); yaml.v3
 * reads UTF-16 LE or BE after its byte order mark (readerc.go yaml_parser_determine_encoding), what Windows
 * PowerShell 5.1's `>` writes, and refuses invalid UTF-8 or UTF-16 and control characters (readerc.go
 * yaml_parser_update_buffer).
 */
export function decodeText(bytes: Uint8Array, file: string): string {
    let text: string;
    try {
        if (bytes[0] === 0xff && bytes[1] === 0xfe) {
            text = new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(2));
        } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
            text = new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true }).decode(Buffer.from(bytes.subarray(2)).swap16());
        } else {
            text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        }
    } catch {
        refuse(`${file} is neither UTF-8 nor UTF-16 with a byte order mark: pulumi up refuses it too (yaml.v3: invalid UTF-8 ` +
            "or UTF-16); save it as UTF-8");
    }
    // readerc.go: #x9 | #xA | #xD | [#x20-#x7E] | #x85 | [#xA0-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
    const bad = /[^\t\n\r\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.exec(text);
    if (bad) {
        const line = text.slice(0, bad.index).split("\n").length;
        refuse(`${file} holds the control character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} ` +
            `on line ${line}: pulumi up refuses it too (yaml.v3: control characters are not allowed); ` +
            "in a double-quoted string write it as an escape such as \\t");
    }
    return text;
}

/** yaml.v3 resolve.go yamlStyleFloat. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
export const INT64 = [-(2n ** 63n), 2n ** 63n - 1n];
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt(s, 0, 64) (or ParseUint without a sign): an optional sign, then 0b, 0o, 0x or 0 (octal) or decimal. */
function goParseInteger(s: string, signed: boolean): bigint | undefined {
    const match = /^([+-]?)(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
    if (!match || (!signed && match[1] !== "")) {
        return undefined;
    }
    const digits = match[2];
    // A leading 0 alone is octal in Go; BigInt reads 0o.., 0x.., 0b.. itself.
    const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits.toLowerCase());
    const value = match[1] === "-" ? -magnitude : magnitude;
    const [min, max] = signed ? INT64 : [0n, UINT64_MAX];
    return value >= min && value <= max ? value : undefined;
}

/**
 * resolve.go allowedTimestampFormats: 2006-1-2, then T and a time with a zone (Z07:00), or one space and a
 * time without one; time.Parse then checks the ranges (month and day below, hour, minute and second here).
 */
const TIME = String.raw`([01]?\d|2[0-3]):[0-5]?\d:[0-5]?\d(\.\d{1,9})?`;
const TIMESTAMP = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})([Tt]${TIME}(Z|[+-]\d{2}:\d{2})| ${TIME})?$`);

/**
 * A plain (unquoted, untagged) scalar as yaml.v3 v3.0.1 resolves it (resolve.go `resolve`): null, bool,
 * .inf/.nan, then by its first character: ints through strconv.ParseInt(s, 0, 64) after dropping every `_`
 * (so `017` is octal 15, `1_80` is 180, `0x1E` is 30), else floats (`8.10` is 8.1), else text.
 */
export function resolvePlain(text: string): YamlValue {
    switch (text) {
        case "true": case "True": case "TRUE": return true;
        case "false": case "False": case "FALSE": return false;
        case "": case "~": case "null": case "Null": case "NULL": return null;
        case ".nan": case ".NaN": case ".NAN": case ".inf": case ".Inf": case ".INF": case "+.inf": case "+.Inf": case "+.INF":
        case "-.inf": case "-.Inf": case "-.INF":
            // object.go MarshalString writes numbers as JSON, which has no NaN or infinity: pulumi up fails.
            throw new ScalarRefusal(text, "a YAML NaN or infinity, which pulumi up cannot store (json: unsupported value); " +
                "quote it for the text");
    }
    const first = text[0];
    if (first === ".") {
        // resolve.go: a float only when strconv.ParseFloat succeeds; .5e400 overflows and stays text.
        const float = Number(text);
        return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) && Number.isFinite(float) ? new GoNumber(JSON.stringify(float), text) : text;
    }
    if (!/[-+0-9]/.test(first)) {
        return text;
    }
    const date = TIMESTAMP.exec(text);
    if (date && Number(date[2]) >= 1 && Number(date[2]) <= 12 && Number(date[3]) >= 1 &&
        Number(date[3]) <= new Date(Date.UTC(Number(date[1]), Number(date[2]), 0)).getUTCDate()) {
        // decode.go stores a time.Time; object.go unmarshalObject passes Go's Time.String() of it.
        throw new ScalarRefusal(text, "a YAML timestamp, which pulumi up passes as Go's time text (such as " +
            '"2026-01-02 00:00:00 +0000 UTC"), not as written; quote it for the text');
    }
    const plain = text.replace(/_/g, "");
    const integer = goParseInteger(plain, true) ?? goParseInteger(plain, false);
    if (integer !== undefined) {
        return new GoNumber(integer.toString(), text);
    }
    const float = Number(plain);
    if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(float)) {
        // Go's JSON of a float64 and JavaScript's agree: shortest digits, exponent from 1e21 and below 1e-6.
        return new GoNumber(JSON.stringify(float), text);
    }
    return text;
}

/** decode.go: yaml.v3 refuses a document where aliases make up too much of what is decoded (allowedAliasRatio). */
function aliasRatio(decodes: number): number {
    return decodes <= 400000 ? 0.99 : decodes >= 4000000 ? 0.10 : 0.99 - 0.89 * ((decodes - 400000) / 3600000);
}

/** yaml.v3's reading of the first document: scalars, lists and maps with text keys; merge keys; duplicate keys refused. */
class Reader {
    private decodes = 0;
    private aliasDepth = 0;
    private aliases = 0;
    private readonly expanding = new Set<Node>();
    private readonly lines: LineCounter;
    private readonly file: string;

    /** Each alias's node: the latest anchor of its name before it (YAML 1.2 3.2.2.2: an anchor may be redefined). */
    private readonly targets = new Map<Alias, Node | undefined>();

    constructor(doc: Document, lines: LineCounter, file: string) {
        this.lines = lines;
        this.file = file;
        // One walk in document order, a node before its content (as yaml's own Alias.resolve, which walks the whole
        // document on every call: quadratic with many aliases).
        const latest = new Map<string, Node>();
        visit(doc, {
            Node: (_key, node) => {
                if (isAlias(node)) {
                    this.targets.set(node, latest.get(node.source));
                } else if (node.anchor !== undefined) {
                    latest.set(node.anchor, node);
                }
            },
        });
    }

    private line(node: Node | null | undefined): number {
        return node?.range ? this.lines.linePos(node.range[0]).line : 0;
    }

    value(node: unknown): YamlValue {
        if (node === null || node === undefined) {
            return null;
        }
        this.decodes++;
        if (this.aliasDepth > 0) {
            this.aliases++;
        }
        if (this.aliases > 100 && this.decodes > 1000 && this.aliases / this.decodes > aliasRatio(this.decodes)) {
            refuse(`${this.file}: yaml.v3 refuses it: document contains excessive aliasing`);
        }
        if (isAlias(node)) {
            return this.alias(node);
        }
        if (isScalar(node)) {
            return this.scalar(node);
        }
        if (isSeq(node)) {
            return node.items.map(item => this.value(item));
        }
        if (isMap(node)) {
            return this.map(node.items);
        }
        return refuse(`${this.file}: line ${this.line(node as Node)} holds YAML that plan does not read`);
    }

    private alias(node: Alias): YamlValue {
        const target = this.targets.get(node);
        if (target === undefined || this.expanding.has(target)) {
            // decode.go alias: "anchor '%s' value contains itself"; parser: "unknown anchor '%s' referenced"
            refuse(`${this.file}: line ${this.line(node)}: anchor ${quoted(node.source)} is unknown or contains itself`);
        }
        this.expanding.add(target);
        this.aliasDepth++;
        try {
            return this.value(target);
        } finally {
            this.aliasDepth--;
            this.expanding.delete(target);
        }
    }

    private scalar(node: Scalar): YamlValue {
        const text = String(node.value);
        if (node.tag === undefined || node.tag === "!") {
            // decode.go scalar: a quoted or block scalar is text (indicatedString); a plain one is resolved.
            return node.type === "PLAIN" ? resolvePlain(text) : text;
        }
        if (node.tag === "tag:yaml.org,2002:str") {
            return text;
        }
        return refuse(`${this.file}: line ${this.line(node)}: the YAML tag ${quoted(node.tag)} is one plan does not read; ` +
            "write the value without it");
    }

    private key(node: unknown): string {
        const key = this.value(node);
        if (typeof key !== "string") {
            // workspace/project.go SimplifyMarshalledValue: "expected only string keys, got '%s'"
            refuse(`${this.file}: line ${this.line(node as Node)}: expected only string keys, got ` +
                `${key instanceof GoNumber ? key.source : quoted(key)}; quote the key`);
        }
        return key;
    }

    private map(pairs: { key: unknown; value: unknown }[]): { [key: string]: YamlValue } {
        // decode.go mapping: two keys of the same kind and text are refused. A Set keeps this linear.
        const seen = new Map<string, Node>();
        for (const { key } of pairs) {
            const node = key as Node;
            const id = isScalar(node) ? `s${String(node.value)}` : isAlias(node) ? `a${node.source}` : `n${this.line(node)}`;
            const earlier = seen.get(id);
            if (earlier !== undefined) {
                refuse(`${this.file} is not valid YAML for pulumi up: line ${this.line(node)}: mapping key ` +
                    `${quoted(isScalar(node) ? String(node.value) : id.slice(1))} already defined at line ${this.line(earlier)} (yaml.v3)`);
            }
            seen.set(id, node);
        }
        const result: { [key: string]: YamlValue } = Object.create(null);
        let merge: unknown;
        for (const { key, value } of pairs) {
            // decode.go isMerge: a plain `<<`, untagged or !!merge
            if (isScalar(key) && key.type === "PLAIN" && key.value === "<<" &&
                (key.tag === undefined || key.tag === "tag:yaml.org,2002:merge")) {
                merge = value;
                continue;
            }
            const name = this.key(key);
            try {
                result[name] = this.value(value);
            } catch (err) {
                if (err instanceof ScalarRefusal) {
                    err.path.unshift(name);
                }
                throw err;
            }
        }
        if (merge !== undefined) {
            // decode.go merge: the map's own keys win, then the merged maps in order, the first one setting a key wins.
            // decode.go merge: an alias must name a map (failWantMap), even one naming a list of maps.
            const target = isAlias(merge) ? this.targets.get(merge) : undefined;
            if (target !== undefined && !isMap(target)) {
                refuse(`${this.file}: line ${this.line(merge as Node)}: map merge requires map or sequence of maps as the value (yaml.v3); ` +
                    `the alias *${printable(String((merge as Alias).source))} names a ${isSeq(target) ? "list" : "scalar"}, and after << an alias must name a map`);
            }
            const sources = isSeq(merge) ? merge.items : [merge];
            for (const source of sources) {
                const merged = this.value(source);
                if (!isRecord(merged)) {
                    refuse(`${this.file}: line ${this.line(merge as Node)}: map merge requires map or sequence of maps as the value (yaml.v3)`);
                }
                for (const [k, v] of Object.entries(merged)) {
                    if (!(k in result)) {
                        result[k] = v;
                    }
                }
            }
        }
        return result;
    }
}

/** A file's text as yaml.v3 decodes it into `any`: its first document; null when empty. */
export function readYaml(text: string, file: string): YamlValue {
    const lines = new LineCounter();
    // Every scalar as written (failsafe), resolved by yaml.v3's rules above; duplicate keys checked there, in linear time.
    const [doc] = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false, lineCounter: lines, prettyErrors: false });
    if (doc === undefined) {
        return null;
    }
    if (doc.errors.length > 0) {
        refuse(`${file} is not valid YAML: ${printable(doc.errors[0].message.split("\n")[0])}`);
    }
    try {
        return new Reader(doc as Document, lines, file).value(doc.contents);
    } catch (err) {
        if (err instanceof ScalarRefusal) {
            refuse(`${file}: ${err.path.map(shownKey).join(".")} is ${quoted(err.source)} unquoted, ${err.reason}`);
        }
        throw err;
    }
}

/** The text `pulumi up` passes (object.go MarshalString): strings as they are, anything else as JSON, map keys sorted. */
export function valueText(value: YamlValue): string {
    if (typeof value === "string") {
        return value;
    }
    const json = (v: YamlValue): string => {
        if (v instanceof GoNumber) {
            return v.text;
        }
        if (Array.isArray(v)) {
            return `[${v.map(json).join(",")}]`;
        }
        if (isRecord(v)) {
            return `{${Object.keys(v).sort().map(k => `${JSON.stringify(k)}:${json(v[k])}`).join(",")}}`;
        }
        return JSON.stringify(v);
    };
    return json(value);
}
