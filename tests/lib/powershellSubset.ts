/**
 * Runs a PowerShell function of a small subset on its tree-sitter syntax tree, for the pure
 * decision functions of scripts/*.ps1 where no PowerShell is installed: a param block of plain
 * variables, `if`/`elseif`/`else`, `return` of a literal, `-not`, `-and`, `-or`, `-eq`, `-ne`,
 * parentheses, `$null`, `$true`, `$false`, numbers and single-quoted strings. Anything else
 * throws, so a function that leaves the subset fails its test instead of being misread.
 *
 * Semantics, from about_Comparison_Operators, about_Logical_Operators and about_Booleans
 * (MicrosoftDocs/PowerShell-Docs): `-eq` of `$null` is true only for `$null`; a boolean and a
 * boolean compare by value; in a condition `$null`, `$false`, 0 and '' are false.
 */
import { Node } from "web-tree-sitter";

export type PsValue = null | boolean | number | string;

class Returned {
    readonly value: PsValue;

    constructor(value: PsValue) {
        this.value = value;
    }
}

const named = (node: Node): Node[] => node.namedChildren.filter((c): c is Node => c !== null);

/** The operator token of a binary or unary expression (an unnamed child). */
function operatorOf(node: Node): string {
    const token = node.children.find(c => c !== null && !c.isNamed);
    if (!token) {
        throw new Error(`no operator in ${node.type}: ${node.text}`);
    }
    return token.text.toLowerCase();
}

function truthy(value: PsValue): boolean {
    return value !== null && value !== false && value !== 0 && value !== "";
}

function equal(left: PsValue, right: PsValue): boolean {
    if (left === null || right === null) {
        return left === right;
    }
    if (typeof left !== typeof right) {
        throw new Error(`-eq of a ${typeof left} and a ${typeof right} is outside the subset`);
    }
    return typeof left === "string" ? left.toLowerCase() === (right as string).toLowerCase() : left === right;
}

function evaluate(node: Node, vars: Map<string, PsValue>): PsValue {
    const children = named(node);
    switch (node.type) {
        case "variable": {
            const name = node.text.toLowerCase();
            if (name === "$null") return null;
            if (name === "$true") return true;
            if (name === "$false") return false;
            if (!vars.has(name)) {
                throw new Error(`unknown variable ${node.text}`);
            }
            return vars.get(name)!;
        }
        case "string_literal": {
            const text = node.text;
            if (!/^'[^]*'$/.test(text)) {
                throw new Error(`only single-quoted strings are in the subset: ${text}`);
            }
            return text.slice(1, -1).replace(/''/g, "'");
        }
        case "integer_literal":
            return Number(node.text);
        case "logical_expression":
        case "comparison_expression":
            if (children.length === 1) {
                return evaluate(children[0], vars);
            }
            if (node.type === "logical_expression") {
                const op = operatorOf(node);
                const left = truthy(evaluate(children[0], vars));
                if (op === "-and") return left && truthy(evaluate(children[1], vars));
                if (op === "-or") return left || truthy(evaluate(children[1], vars));
                throw new Error(`operator ${op} is outside the subset`);
            } else {
                const [left, op, right] = children;
                const equalValues = equal(evaluate(left, vars), evaluate(right, vars));
                if (op.text.toLowerCase() === "-eq") return equalValues;
                if (op.text.toLowerCase() === "-ne") return !equalValues;
                throw new Error(`operator ${op.text} is outside the subset`);
            }
        case "expression_with_unary_operator": {
            const op = operatorOf(node);
            if (op !== "-not" && op !== "!") {
                throw new Error(`operator ${op} is outside the subset`);
            }
            return !truthy(evaluate(children[0], vars));
        }
        case "parenthesized_expression":
        case "pipeline":
        case "pipeline_chain":
        case "bitwise_expression":
        case "additive_expression":
        case "multiplicative_expression":
        case "format_expression":
        case "range_expression":
        case "array_literal_expression":
        case "unary_expression":
            if (children.length !== 1) {
                throw new Error(`${node.type} with ${children.length} parts is outside the subset: ${node.text}`);
            }
            return evaluate(children[0], vars);
        default:
            throw new Error(`${node.type} is outside the subset: ${node.text}`);
    }
}

function run(statements: Node, vars: Map<string, PsValue>): void {
    for (const statement of named(statements)) {
        switch (statement.type) {
            case "flow_control_statement": {
                if (!/^return\b/i.test(statement.text)) {
                    throw new Error(`only return is in the subset: ${statement.text}`);
                }
                const [value] = named(statement);
                throw new Returned(value ? evaluate(value, vars) : null);
            }
            case "if_statement": {
                const blocks = named(statement);
                const condition = statement.childForFieldName("condition");
                const block = blocks.find(b => b.type === "statement_block");
                if (!condition || !block) {
                    throw new Error(`an if without a condition or block: ${statement.text}`);
                }
                if (truthy(evaluate(condition, vars))) {
                    runBlock(block, vars);
                    break;
                }
                const elseifs = blocks.find(b => b.type === "elseif_clauses");
                const taken = elseifs && named(elseifs).find(clause => {
                    const c = clause.childForFieldName("condition");
                    return c !== null && truthy(evaluate(c, vars));
                });
                if (taken) {
                    runBlock(named(taken).find(b => b.type === "statement_block")!, vars);
                    break;
                }
                const otherwise = blocks.find(b => b.type === "else_clause");
                if (otherwise) {
                    runBlock(named(otherwise).find(b => b.type === "statement_block")!, vars);
                }
                break;
            }
            default:
                throw new Error(`${statement.type} is outside the subset: ${statement.text}`);
        }
    }
}

function runBlock(block: Node, vars: Map<string, PsValue>): void {
    const list = named(block).find(b => b.type === "statement_list");
    if (list) {
        run(list, vars);
    }
}

/** The function's parameter names, in order, as written (`$EwsEnabled`). */
export function parameterNames(fn: Node): string[] {
    const body = named(fn).find(c => c.type === "script_block");
    const params = body && named(body).find(c => c.type === "param_block");
    const list = params && named(params).find(c => c.type === "parameter_list");
    return list ? named(list).map(p => named(p).find(c => c.type === "variable")!.text) : [];
}

/** Calls the function with its parameters bound by name (`{ EwsEnabled: null }`), as `Name -EwsEnabled $null` would. */
export function callFunction(fn: Node, args: Record<string, PsValue>): PsValue {
    const names = parameterNames(fn);
    const vars = new Map<string, PsValue>();
    for (const name of names) {
        const key = name.slice(1);
        if (!(key in args)) {
            throw new Error(`no argument for ${name}`);
        }
        vars.set(name.toLowerCase(), args[key]);
    }
    const extra = Object.keys(args).filter(key => !names.some(n => n.slice(1) === key));
    if (extra.length > 0) {
        throw new Error(`no parameter ${extra.join(", ")}`);
    }
    const body = named(named(fn).find(c => c.type === "script_block")!).find(c => c.type === "script_block_body");
    const statements = body && named(body).find(c => c.type === "statement_list");
    if (!statements) {
        throw new Error("the function has no body");
    }
    try {
        run(statements, vars);
    } catch (e) {
        if (e instanceof Returned) {
            return e.value;
        }
        throw e;
    }
    return null;
}
