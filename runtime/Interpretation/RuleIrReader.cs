using System;
using System.Collections.Generic;
using System.Globalization;
using KernelGen.Language;

namespace KernelGen;

/// <summary>
/// Reads the rule IR (docs/ir.md) into an <see cref="UpdateRule"/>: tokenizes, then descends
/// recursively, resolving every name to a frame slot and type-checking every node as it goes.
/// </summary>
internal sealed class RuleIrReader
{
    private const int MaxDepth = 512;

    private readonly string _text;
    private readonly List<Token> _tokens;
    private int _next;
    private int _depth;

    // Resolution state for the body.
    private readonly List<Dictionary<string, Symbol>> _scopes = new();
    private HashSet<int> _assigned = new();
    private int _floatSlots;
    private int _intSlots;
    private int _boolSlots;
    private int _locals;
    private readonly List<bool> _reductionIsNorm = new();

    public RuleIrReader(string text)
    {
        _text = text;
        _tokens = Tokenize(text);
    }

    private enum TokenKind { Open, Close, Atom, End }

    private readonly record struct Token(TokenKind Kind, int Start, string Text);

    private enum SymbolKind { Parameter, Gradient, State, TensorState, Hyperparameter, Step, Local }

    private sealed record Symbol(string Name, SymbolKind Kind, RuleValueType Type, int Slot, int LocalId);

    // ------------------------------------------------------------ tokens

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '(')
            {
                tokens.Add(new Token(TokenKind.Open, i, "("));
                i++;
            }
            else if (c == ')')
            {
                tokens.Add(new Token(TokenKind.Close, i, ")"));
                i++;
            }
            else
            {
                int start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '(' && text[i] != ')')
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Atom, start, text.Substring(start, i - start)));
            }
        }

        tokens.Add(new Token(TokenKind.End, text.Length, ""));
        return tokens;
    }

    private Token Peek => _tokens[_next];

    private Token Take()
    {
        Token token = _tokens[_next];
        if (token.Kind != TokenKind.End)
        {
            _next++;
        }

        return token;
    }

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "the end of the input",
        TokenKind.Atom => $"'{token.Text}'",
        _ => $"'{token.Text}'",
    };

    private string Where(int offset)
    {
        int line = 1;
        int column = 1;
        for (int i = 0; i < offset && i < _text.Length; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return $"line {line}, column {column} (offset {offset})";
    }

    /// <summary>A syntax error: <paramref name="expected"/> was expected where <paramref name="found"/> is.</summary>
    private FormatException Expected(Token found, string expected) =>
        new($"Rule IR syntax error at {Where(found.Start)}: expected {expected}, found {Describe(found)}.");

    /// <summary>A semantic error (names, types, arity, assignment) at <paramref name="at"/>.</summary>
    private FormatException Invalid(Token at, string message) =>
        new($"Rule IR error at {Where(at.Start)}: {message}.");

    private void ExpectOpen(string what)
    {
        Token token = Take();
        if (token.Kind != TokenKind.Open)
        {
            throw Expected(token, $"'(' to start {what}");
        }
    }

    private void ExpectClose(string what)
    {
        Token token = Take();
        if (token.Kind != TokenKind.Close)
        {
            throw Expected(token, $"')' to close {what}");
        }
    }

    private void ExpectKeyword(string keyword)
    {
        Token token = Take();
        if (token.Kind != TokenKind.Atom || token.Text != keyword)
        {
            throw Expected(token, $"'{keyword}'");
        }
    }

    private Token ExpectAtom(string what)
    {
        Token token = Take();
        if (token.Kind != TokenKind.Atom)
        {
            throw Expected(token, what);
        }

        return token;
    }

    private Token ExpectName(string what)
    {
        Token token = Take();
        if (token.Kind != TokenKind.Atom || !IsIdentifier(token.Text))
        {
            throw Expected(token, $"{what} (an identifier)");
        }

        return token;
    }

    private static bool IsIdentifier(string text)
    {
        int start = text.Length > 0 && text[0] == '@' ? 1 : 0;
        if (text.Length <= start || !(char.IsLetter(text[start]) || text[start] == '_'))
        {
            return false;
        }

        for (int i = start + 1; i < text.Length; i++)
        {
            if (!(char.IsLetterOrDigit(text[i]) || text[i] == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private RuleValueType ExpectType()
    {
        Token token = Take();
        if (token.Kind == TokenKind.Atom)
        {
            switch (token.Text)
            {
                case "float": return RuleValueType.Float;
                case "int": return RuleValueType.Int;
                case "bool": return RuleValueType.Bool;
            }
        }

        throw Expected(token, "a type (float, int or bool)");
    }

    private static string TypeName(RuleValueType type) => type switch
    {
        RuleValueType.Float => "float",
        RuleValueType.Int => "int",
        _ => "bool",
    };

    private void Enter(Token at)
    {
        if (++_depth > MaxDepth)
        {
            throw Invalid(at, $"the rule nests deeper than {MaxDepth} levels");
        }
    }

    private void Leave() => _depth--;

    // ------------------------------------------------------------ rule and declarations

    public UpdateRule ReadRule()
    {
        ExpectOpen("the rule");
        ExpectKeyword("rule");
        string name = ExpectName("the rule's name").Text;

        string? parameter = null;
        string? gradient = null;
        string? step = null;
        var states = new List<string>();
        var tensorStates = new List<string>();
        var hyperparameters = new List<RuleHyperparameter>();
        var declared = new HashSet<string>(StringComparer.Ordinal);

        Token body;
        while (true)
        {
            ExpectOpen("a declaration or the body");
            Token head = ExpectAtom("a declaration (param, grad, state, tensor, hyper, step) or 'body'");
            if (head.Text == "body")
            {
                body = head;
                break;
            }

            Token declName;
            switch (head.Text)
            {
                case "param":
                    declName = ExpectName("the parameter's name");
                    if (parameter != null) throw Invalid(head, $"the rule declares a second parameter '{declName.Text}' (the first is '{parameter}')");
                    parameter = declName.Text;
                    break;
                case "grad":
                    declName = ExpectName("the gradient's name");
                    if (gradient != null) throw Invalid(head, $"the rule declares a second gradient '{declName.Text}' (the first is '{gradient}')");
                    gradient = declName.Text;
                    break;
                case "state":
                    declName = ExpectName("the state's name");
                    states.Add(declName.Text);
                    break;
                case "tensor":
                    declName = ExpectName("the tensor state's name");
                    tensorStates.Add(declName.Text);
                    break;
                case "hyper":
                    declName = ExpectName("the hyper-parameter's name");
                    hyperparameters.Add(new RuleHyperparameter(declName.Text, ExpectType()));
                    break;
                case "step":
                    declName = ExpectName("the step's name");
                    if (step != null) throw Invalid(head, $"the rule declares a second step '{declName.Text}' (the first is '{step}')");
                    step = declName.Text;
                    break;
                default:
                    throw Expected(head, "a declaration (param, grad, state, tensor, hyper, step) or 'body'");
            }

            if (!declared.Add(declName.Text))
            {
                throw Invalid(declName, $"the name '{declName.Text}' is declared twice");
            }

            ExpectClose($"the '{head.Text}' declaration");
        }

        if (parameter == null) throw Invalid(body, "the rule declares no parameter: '(param NAME)' must come before the body");
        if (gradient == null) throw Invalid(body, "the rule declares no gradient: '(grad NAME)' must come before the body");

        // Lay the frame out and put the declared names in the outermost scope.
        var root = new Dictionary<string, Symbol>(StringComparer.Ordinal);
        root[parameter] = new Symbol(parameter, SymbolKind.Parameter, RuleValueType.Float, RuleLayout.ParameterSlot, -1);
        root[gradient] = new Symbol(gradient, SymbolKind.Gradient, RuleValueType.Float, RuleLayout.GradientSlot, -1);
        _floatSlots = RuleLayout.FirstStateSlot;
        foreach (string state in states)
        {
            root[state] = new Symbol(state, SymbolKind.State, RuleValueType.Float, _floatSlots++, -1);
        }

        foreach (string tensorState in tensorStates)
        {
            root[tensorState] = new Symbol(tensorState, SymbolKind.TensorState, RuleValueType.Float, _floatSlots++, -1);
        }

        int stepSlot = -1;
        if (step != null)
        {
            stepSlot = _intSlots++;
            root[step] = new Symbol(step, SymbolKind.Step, RuleValueType.Int, stepSlot, -1);
        }

        var hyperSlots = new int[hyperparameters.Count];
        for (int i = 0; i < hyperparameters.Count; i++)
        {
            RuleHyperparameter h = hyperparameters[i];
            hyperSlots[i] = NewSlot(h.Type);
            root[h.Name] = new Symbol(h.Name, SymbolKind.Hyperparameter, h.Type, hyperSlots[i], -1);
        }

        _scopes.Add(root);
        _scopes.Add(new Dictionary<string, Symbol>(StringComparer.Ordinal)); // the body's own scope
        Stmt[] statements = ParseStatements("the body");
        ExpectClose("the body");
        ExpectClose("the rule");
        Token end = Take();
        if (end.Kind != TokenKind.End)
        {
            throw Expected(end, "the end of the input after the rule");
        }

        var layout = new RuleLayout
        {
            StateCount = states.Count,
            TensorStateCount = tensorStates.Count,
            HyperparameterSlots = hyperSlots,
            StepSlot = stepSlot,
            FloatSlotCount = _floatSlots,
            IntSlotCount = _intSlots,
            BoolSlotCount = _boolSlots,
            LocalCount = _locals,
            ReductionIsNorm = _reductionIsNorm.ToArray(),
        };

        return new UpdateRule(_text, name, parameter, gradient, states.ToArray(), tensorStates.ToArray(),
            hyperparameters.ToArray(), step, layout, statements);
    }

    private int NewSlot(RuleValueType type) => type switch
    {
        RuleValueType.Float => _floatSlots++,
        RuleValueType.Int => _intSlots++,
        _ => _boolSlots++,
    };

    private Symbol? Lookup(string name)
    {
        for (int i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetValue(name, out Symbol? symbol))
            {
                return symbol;
            }
        }

        return null;
    }

    // ------------------------------------------------------------ statements

    /// <summary>Parses statements up to (not including) the ')' that closes <paramref name="what"/>.</summary>
    private Stmt[] ParseStatements(string what)
    {
        var statements = new List<Stmt>();
        while (Peek.Kind != TokenKind.Close)
        {
            if (Peek.Kind != TokenKind.Open)
            {
                throw Expected(Peek, $"a statement or ')' to close {what}");
            }

            statements.Add(ParseStatement());
        }

        return statements.ToArray();
    }

    private Stmt ParseStatement()
    {
        Token open = Take();
        Enter(open);
        Token head = ExpectAtom("a statement (local, set or if)");
        Stmt statement = head.Text switch
        {
            "local" => ParseLocal(head),
            "set" => ParseSet(head),
            "if" => ParseIf(head),
            _ => throw Expected(head, "a statement (local, set or if)"),
        };
        Leave();
        return statement;
    }

    private Stmt ParseLocal(Token head)
    {
        Token name = ExpectName("the local's name");
        RuleValueType type = ExpectType();
        Expr? value = null;
        if (Peek.Kind != TokenKind.Close)
        {
            value = ParseExpr();
            if (value.Type != type)
            {
                throw Invalid(name, $"the local '{name.Text}' is {TypeName(type)} but its initializer is {TypeName(value.Type)}" + ConversionHint(type, value.Type));
            }
        }

        ExpectClose($"the local '{name.Text}'");

        // Declared after its initializer is resolved, so the initializer cannot read it.
        for (int i = 1; i < _scopes.Count; i++)
        {
            if (_scopes[i].TryGetValue(name.Text, out Symbol? existing) && existing.Kind == SymbolKind.Local)
            {
                throw Invalid(name, $"the local '{name.Text}' is already declared in this or an enclosing block");
            }
        }

        int localId = _locals++;
        var symbol = new Symbol(name.Text, SymbolKind.Local, type, NewSlot(type), localId);
        _scopes[^1][name.Text] = symbol;
        if (value == null)
        {
            return new DeclareUnassigned(localId);
        }

        _assigned.Add(localId);
        return MakeSet(symbol, value);
    }

    private Stmt ParseSet(Token head)
    {
        Token name = ExpectName("the name to assign");
        Symbol symbol = Lookup(name.Text) ?? throw Invalid(name, $"unknown name '{name.Text}' in 'set'");
        switch (symbol.Kind)
        {
            case SymbolKind.Gradient:
                throw Invalid(name, $"cannot assign the gradient '{name.Text}': it is read-only");
            case SymbolKind.Hyperparameter:
                throw Invalid(name, $"cannot assign the hyper-parameter '{name.Text}': it is read-only");
            case SymbolKind.Step:
                throw Invalid(name, $"cannot assign the step '{name.Text}': it is read-only");
        }

        Expr value = ParseExpr();
        if (value.Type != symbol.Type)
        {
            throw Invalid(name, $"'{name.Text}' is {TypeName(symbol.Type)} but the value assigned is {TypeName(value.Type)}" + ConversionHint(symbol.Type, value.Type));
        }

        ExpectClose($"the 'set' of '{name.Text}'");
        if (symbol.Kind == SymbolKind.Local)
        {
            _assigned.Add(symbol.LocalId);
        }

        return MakeSet(symbol, value);
    }

    private static Stmt MakeSet(Symbol symbol, Expr value) => symbol.Type switch
    {
        RuleValueType.Float => new SetFloat(symbol.Slot, symbol.LocalId, (FloatExpr)value),
        RuleValueType.Int => new SetInt(symbol.Slot, symbol.LocalId, (IntExpr)value),
        _ => new SetBool(symbol.Slot, symbol.LocalId, (BoolExpr)value),
    };

    private Stmt ParseIf(Token head)
    {
        Token conditionToken = Peek;
        Expr condition = ParseExpr();
        if (condition is not BoolExpr boolCondition)
        {
            throw Invalid(conditionToken, $"the condition of 'if' must be bool, but it is {TypeName(condition.Type)}");
        }

        // Definite assignment: a local is assigned after the 'if' when both arms assign it.
        var before = new HashSet<int>(_assigned);
        Stmt[] whenTrue = ParseBlock("the first block of 'if'");
        HashSet<int> afterTrue = _assigned;
        _assigned = before;
        Stmt[] whenFalse = ParseBlock("the second block of 'if'");
        _assigned.IntersectWith(afterTrue);
        ExpectClose("the 'if'");
        return new If(boolCondition, whenTrue, whenFalse);
    }

    private Stmt[] ParseBlock(string what)
    {
        ExpectOpen(what + " '(block ...)'");
        ExpectKeyword("block");
        _scopes.Add(new Dictionary<string, Symbol>(StringComparer.Ordinal));
        _assigned = new HashSet<int>(_assigned);
        Stmt[] statements = ParseStatements(what);
        _scopes.RemoveAt(_scopes.Count - 1);
        ExpectClose(what);
        return statements;
    }

    // ------------------------------------------------------------ expressions

    private static string ConversionHint(RuleValueType expected, RuleValueType actual) =>
        expected == RuleValueType.Float && actual == RuleValueType.Int ? " (an int becomes a float only through 'tofloat')" : "";

    private Expr ParseExpr()
    {
        Token token = Take();
        if (token.Kind == TokenKind.Atom)
        {
            return ParseName(token);
        }

        if (token.Kind != TokenKind.Open)
        {
            throw Expected(token, "an expression");
        }

        Enter(token);
        Token head = ExpectAtom("an expression form (float, int, bool, neg, not, add, sub, mul, div, lt, le, gt, ge, eq, ne, and, or, cond, tofloat, call)");
        Expr result = head.Text switch
        {
            "float" => ParseFloatLiteral(),
            "int" => ParseIntLiteral(),
            "bool" => ParseBoolLiteral(),
            "call" => ParseCall(head),
            _ => ParseOperator(head),
        };
        Leave();
        return result;
    }

    private Expr ParseName(Token token)
    {
        if (!IsIdentifier(token.Text))
        {
            throw Expected(token, "an expression (a name, or a form in parentheses such as '(float 1)')");
        }

        Symbol symbol = Lookup(token.Text) ?? throw Invalid(token, $"unknown name '{token.Text}'");
        bool check = symbol.Kind == SymbolKind.Local && !_assigned.Contains(symbol.LocalId);
        return symbol.Type switch
        {
            RuleValueType.Float => check ? new CheckedFloatLocal(symbol.Slot, symbol.LocalId, symbol.Name) : new FloatSlot(symbol.Slot),
            RuleValueType.Int => check ? new CheckedIntLocal(symbol.Slot, symbol.LocalId, symbol.Name) : new IntSlot(symbol.Slot),
            _ => check ? new CheckedBoolLocal(symbol.Slot, symbol.LocalId, symbol.Name) : new BoolSlot(symbol.Slot),
        };
    }

    private Expr ParseFloatLiteral()
    {
        Token literal = ExpectAtom("a float literal");
        if (!float.TryParse(literal.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
        {
            throw Expected(literal, "a float literal (such as 0.9, 1E-08, -0, Infinity or NaN)");
        }

        ExpectClose("the float literal");
        return new FloatLiteral(value);
    }

    private Expr ParseIntLiteral()
    {
        Token literal = ExpectAtom("an int literal");
        if (!int.TryParse(literal.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            throw Expected(literal, "an int literal (decimal digits with an optional sign, within the range of int)");
        }

        ExpectClose("the int literal");
        return new IntLiteral(value);
    }

    private Expr ParseBoolLiteral()
    {
        Token literal = ExpectAtom("'true' or 'false'");
        bool value = literal.Text switch
        {
            "true" => true,
            "false" => false,
            _ => throw Expected(literal, "'true' or 'false'"),
        };
        ExpectClose("the bool literal");
        return new BoolLiteral(value);
    }

    /// <summary>Parses operands up to and including the closing ')'.</summary>
    private List<Expr> ParseOperands(Token head)
    {
        var operands = new List<Expr>();
        while (Peek.Kind != TokenKind.Close)
        {
            if (Peek.Kind == TokenKind.End)
            {
                throw Expected(Peek, $"an operand or ')' to close '{head.Text}'");
            }

            operands.Add(ParseExpr());
        }

        Take();
        return operands;
    }

    private void CheckArity(Token head, string what, List<Expr> operands, int count)
    {
        if (operands.Count != count)
        {
            string plural = count == 1 ? "operand" : "operands";
            throw Invalid(head, $"{what} takes {count} {plural} but has {operands.Count}");
        }
    }

    private Expr ParseOperator(Token head)
    {
        string op = head.Text;
        int arity;
        switch (op)
        {
            case "neg": case "not": case "tofloat": arity = 1; break;
            case "add": case "sub": case "mul": case "div":
            case "lt": case "le": case "gt": case "ge": case "eq": case "ne":
            case "and": case "or": arity = 2; break;
            case "cond": arity = 3; break;
            default:
                throw Expected(head, "an expression form (float, int, bool, neg, not, add, sub, mul, div, lt, le, gt, ge, eq, ne, and, or, cond, tofloat, call)");
        }

        List<Expr> a = ParseOperands(head);
        CheckArity(head, $"'{op}'", a, arity);
        switch (op)
        {
            case "neg":
                return a[0] switch
                {
                    FloatExpr x => new FloatNeg(x),
                    IntExpr x => new IntNeg(x),
                    _ => throw Invalid(head, "'neg' takes a float or an int, not a bool"),
                };
            case "not":
                return a[0] is BoolExpr b ? new Not(b) : throw Invalid(head, $"'not' takes a bool, not {TypeName(a[0].Type)}");
            case "tofloat":
                return a[0] is IntExpr i ? new ToFloat(i) : throw Invalid(head, $"'tofloat' takes an int, not {TypeName(a[0].Type)}");
            case "add": return Arithmetic(head, ArithmeticOp.Add, a[0], a[1]);
            case "sub": return Arithmetic(head, ArithmeticOp.Sub, a[0], a[1]);
            case "mul": return Arithmetic(head, ArithmeticOp.Mul, a[0], a[1]);
            case "div": return Arithmetic(head, ArithmeticOp.Div, a[0], a[1]);
            case "lt": return Compare(head, CompareOp.Lt, a[0], a[1]);
            case "le": return Compare(head, CompareOp.Le, a[0], a[1]);
            case "gt": return Compare(head, CompareOp.Gt, a[0], a[1]);
            case "ge": return Compare(head, CompareOp.Ge, a[0], a[1]);
            case "eq": return Compare(head, CompareOp.Eq, a[0], a[1]);
            case "ne": return Compare(head, CompareOp.Ne, a[0], a[1]);
            case "and":
            case "or":
                if (a[0] is BoolExpr l && a[1] is BoolExpr r)
                {
                    return new Logical(op == "and", l, r);
                }

                throw Invalid(head, $"'{op}' takes two bools, but has {TypeName(a[0].Type)} and {TypeName(a[1].Type)}");
            default: // cond
                if (a[0] is not BoolExpr c)
                {
                    throw Invalid(head, $"the condition of 'cond' must be bool, but it is {TypeName(a[0].Type)}");
                }

                return (a[1], a[2]) switch
                {
                    (FloatExpr t, FloatExpr f) => new FloatCond(c, t, f),
                    (IntExpr t, IntExpr f) => new IntCond(c, t, f),
                    (BoolExpr t, BoolExpr f) => new BoolCond(c, t, f),
                    _ => throw Invalid(head, $"the arms of 'cond' must have the same type, but are {TypeName(a[1].Type)} and {TypeName(a[2].Type)}" + ConversionHint(RuleValueType.Float, a[1].Type == RuleValueType.Float ? a[2].Type : a[1].Type)),
                };
        }
    }

    private Expr Arithmetic(Token head, ArithmeticOp op, Expr left, Expr right) => (left, right) switch
    {
        (FloatExpr l, FloatExpr r) => new FloatArithmetic(op, l, r),
        (IntExpr l, IntExpr r) => new IntArithmetic(op, l, r),
        _ => throw Invalid(head, $"'{head.Text}' takes two floats or two ints, but has {TypeName(left.Type)} and {TypeName(right.Type)}"
            + (left.Type != RuleValueType.Bool && right.Type != RuleValueType.Bool ? " (an int becomes a float only through 'tofloat')" : "")),
    };

    private Expr Compare(Token head, CompareOp op, Expr left, Expr right) => (left, right) switch
    {
        (FloatExpr l, FloatExpr r) => new FloatCompare(op, l, r),
        (IntExpr l, IntExpr r) => new IntCompare(op, l, r),
        (BoolExpr l, BoolExpr r) when op is CompareOp.Eq or CompareOp.Ne => new BoolEquality(op == CompareOp.Eq, l, r),
        _ => throw Invalid(head, $"'{head.Text}' takes two operands of the same type ({(op is CompareOp.Eq or CompareOp.Ne ? "float, int or bool" : "float or int")}), but has {TypeName(left.Type)} and {TypeName(right.Type)}"
            + (left.Type != RuleValueType.Bool && right.Type != RuleValueType.Bool ? " (an int becomes a float only through 'tofloat')" : "")),
    };

    private Expr ParseCall(Token head)
    {
        Token name = ExpectAtom($"a function name ({RuleFunctions.IrList()})");
        RuleFunctionInfo info = RuleFunctions.FromIrToken(name.Text)
            ?? throw Invalid(name, $"unknown function '{name.Text}' (the functions are {RuleFunctions.IrList()})");
        RuleFunction function = info.Function;
        int arity = info.Arity;

        List<Expr> operands = ParseOperands(name);
        CheckArity(name, $"the function '{name.Text}'", operands, arity);
        var args = new FloatExpr[arity];
        for (int i = 0; i < arity; i++)
        {
            args[i] = operands[i] as FloatExpr
                ?? throw Invalid(name, $"the function '{name.Text}' takes floats, but operand {i + 1} is {TypeName(operands[i].Type)}"
                    + ConversionHint(RuleValueType.Float, operands[i].Type));
        }

        if (info.Domain == FunctionDomain.Reduction)
        {
            _reductionIsNorm.Add(function == RuleFunction.Norm);
            return new ReductionCall(_reductionIsNorm.Count - 1, function == RuleFunction.Norm, args[0]);
        }

        return new FloatCall(function, args);
    }
}
