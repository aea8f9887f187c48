using System;
using Xunit;

namespace KernelGen.Tests.Interpretation;

public class UpdateRuleParseTests
{
    private const string Sgd = """
        (rule SGD
          (param param) (grad grad) (state momentumBuffer)
          (hyper learningRate float) (hyper momentum float) (hyper nesterov bool)
          (step t)
          (body
            (local g float grad)
            (if (ne momentum (float 0))
              (block
                (if (eq t (int 1))
                  (block (set momentumBuffer g))
                  (block (set momentumBuffer (add (mul momentum momentumBuffer) g))))
                (if nesterov (block (set g (add g (mul momentum momentumBuffer)))) (block)))
              (block))
            (set param (sub param (mul learningRate g)))))
        """;

    [Fact]
    public void ParsesTheDocumentedExample()
    {
        UpdateRule rule = UpdateRule.Parse(Sgd);

        Assert.Equal("SGD", rule.Name);
        Assert.Equal("param", rule.ParameterName);
        Assert.Equal("grad", rule.GradientName);
        Assert.Equal(new[] { "momentumBuffer" }, rule.StateNames);
        Assert.Empty(rule.TensorStateNames);
        Assert.Equal(
            new[]
            {
                new RuleHyperparameter("learningRate", RuleValueType.Float),
                new RuleHyperparameter("momentum", RuleValueType.Float),
                new RuleHyperparameter("nesterov", RuleValueType.Bool),
            },
            rule.Hyperparameters);
        Assert.Equal("t", rule.StepName);
        Assert.Same(Sgd, rule.Text);
    }

    [Fact]
    public void ParsesEveryConstruct()
    {
        const string ir = """
            (rule Everything
              (hyper h1 float) (tensor ts1) (param p) (state s1) (hyper h2 int) (grad g) (tensor ts2) (state s2) (hyper h3 bool)
              (body
                (local a float (float 0.9))
                (local b float (float 1E-08))
                (local c float (float -0))
                (local d float (float Infinity))
                (local e float (float -Infinity))
                (local f float (float NaN))
                (local i int (int -42))
                (local k bool (bool true))
                (local l bool (bool false))
                (local u float)
                (set u (neg a))
                (set k (not k))
                (set a (add (sub a b) (div (mul c d) e)))
                (set i (add (sub i h2) (div (mul i (neg (int 3))) (int 2))))
                (set k (and (or (lt a b) (le a b)) (or (gt i h2) (ge i h2))))
                (set l (or (eq a b) (ne i h2)))
                (set l (and (eq k l) (ne k h3)))
                (set a (cond k a b))
                (set i (cond l i h2))
                (set k (cond h3 k l))
                (set a (tofloat i))
                (set a (call sqrt (call abs (call max (call min (call copysign a b) c) (call fma a b c)))))
                (set a (call sign (call pow (call exp a) (call log b))))
                (if k (block (local inner float a) (set s1 inner)) (block (local inner int i) (set ts1 (tofloat inner))))
                (if l (block) (block))
                (set s2 (add s2 g))
                (set ts2 (add ts2 h1))
                (set p (add p (add u f)))))
            """;

        UpdateRule rule = UpdateRule.Parse(ir);

        Assert.Equal("Everything", rule.Name);
        Assert.Equal("p", rule.ParameterName);
        Assert.Equal("g", rule.GradientName);
        Assert.Equal(new[] { "s1", "s2" }, rule.StateNames);
        Assert.Equal(new[] { "ts1", "ts2" }, rule.TensorStateNames);
        Assert.Equal(
            new[]
            {
                new RuleHyperparameter("h1", RuleValueType.Float),
                new RuleHyperparameter("h2", RuleValueType.Int),
                new RuleHyperparameter("h3", RuleValueType.Bool),
            },
            rule.Hyperparameters);
        Assert.Null(rule.StepName);
    }

    [Fact]
    public void AcceptsAnyWhitespaceAndAnEmptyBody()
    {
        UpdateRule rule = UpdateRule.Parse("\r\n\t(rule\tR (param p)\n(grad g)(body))  \n");
        Assert.Equal("R", rule.Name);
        Assert.Empty(rule.StateNames);
        Assert.Empty(rule.Hyperparameters);
    }

    [Fact]
    public void ParseNullThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => UpdateRule.Parse(null!));
    }

    private static string Body(string statements) =>
        "(rule R (param p) (grad g) (state s) (tensor ts) (hyper lr float) (hyper n int) (hyper flag bool) (step t)\n  (body\n    "
        + statements + "))";

    private static string Fails(string ir)
    {
        FormatException e = Assert.Throws<FormatException>(() => UpdateRule.Parse(ir));
        return e.Message;
    }

    [Fact]
    public void UnknownNameIsReportedWithItsPosition()
    {
        string message = Fails(Body("(set p (add p bogus))"));
        Assert.Contains("unknown name 'bogus'", message);
        Assert.Contains("line 3, column 19", message);
    }

    [Fact]
    public void UnknownNameInSet()
    {
        Assert.Contains("unknown name 'q'", Fails(Body("(set q (float 1))")));
    }

    [Fact]
    public void WrongArityOfAnOperator()
    {
        string message = Fails(Body("(set p (add p))"));
        Assert.Contains("'add' takes 2 operands but has 1", message);
        Assert.Contains("line 3, column 13", message);

        Assert.Contains("'cond' takes 3 operands but has 2", Fails(Body("(set p (cond flag p))")));
        Assert.Contains("'neg' takes 1 operand but has 2", Fails(Body("(set p (neg p g))")));
    }

    [Fact]
    public void WrongArityOfAFunction()
    {
        Assert.Contains("the function 'sqrt' takes 1 operand but has 2", Fails(Body("(set p (call sqrt p g))")));
        Assert.Contains("the function 'fma' takes 3 operands but has 2", Fails(Body("(set p (call fma p g))")));
    }

    [Fact]
    public void UnknownFunction()
    {
        Assert.Contains("unknown function 'sinh'", Fails(Body("(set p (call sinh p))")));
    }

    [Fact]
    public void UnknownExpressionForm()
    {
        string message = Fails(Body("(set p (mod p g))"));
        Assert.Contains("expected an expression form", message);
        Assert.Contains("found 'mod'", message);
    }

    [Fact]
    public void UnknownStatement()
    {
        string message = Fails(Body("(assign p g)"));
        Assert.Contains("expected a statement (local, set or if)", message);
        Assert.Contains("found 'assign'", message);
    }

    [Theory]
    [InlineData("(set g (float 1))", "cannot assign the gradient 'g'")]
    [InlineData("(set lr (float 1))", "cannot assign the hyper-parameter 'lr'")]
    [InlineData("(set n (int 1))", "cannot assign the hyper-parameter 'n'")]
    [InlineData("(set flag (bool true))", "cannot assign the hyper-parameter 'flag'")]
    [InlineData("(set t (int 1))", "cannot assign the step 't'")]
    public void AssignmentToReadOnlyNames(string statement, string expected)
    {
        string message = Fails(Body(statement));
        Assert.Contains(expected, message);
        Assert.Contains("line 3, column 10", message);
    }

    [Fact]
    public void AssignmentToParameterStatesAndLocalsIsAllowed()
    {
        UpdateRule.Parse(Body("(local x float) (set x g) (set p x) (set s x) (set ts x)"));
    }

    [Fact]
    public void MissingCloseParenthesis()
    {
        string message = Fails("(rule R (param p) (grad g) (body (set p g))");
        Assert.Contains("expected ')' to close the rule", message);
        Assert.Contains("found the end of the input", message);
        Assert.Contains("offset 43", message);
    }

    [Fact]
    public void ExtraCloseParenthesis()
    {
        string message = Fails("(rule R (param p) (grad g) (body (set p g))))");
        Assert.Contains("expected the end of the input after the rule", message);
        Assert.Contains("found ')'", message);
        Assert.Contains("offset 44", message);
    }

    [Fact]
    public void UnclosedExpression()
    {
        string message = Fails("(rule R (param p) (grad g) (body (set p (add p g");
        Assert.Contains("expected an operand or ')' to close 'add'", message);
    }

    [Fact]
    public void EmptyInput()
    {
        Assert.Contains("expected '(' to start the rule, found the end of the input", Fails("  "));
    }

    [Fact]
    public void NotARule()
    {
        Assert.Contains("expected 'rule', found 'kernel'", Fails("(kernel R)"));
    }

    [Theory]
    [InlineData("(set p (add p (tofloat n)))")]
    [InlineData("(set p (add (int 1) (float 1)))")]
    public void TofloatMakesIntsFloats(string statement)
    {
        if (statement.Contains("tofloat"))
        {
            UpdateRule.Parse(Body(statement));
        }
        else
        {
            string message = Fails(Body(statement));
            Assert.Contains("'add' takes two floats or two ints, but has int and float", message);
            Assert.Contains("tofloat", message);
        }
    }

    [Theory]
    [InlineData("(set p (add p n))", "'add' takes two floats or two ints, but has float and int")]
    [InlineData("(set p (mul p flag))", "'mul' takes two floats or two ints, but has float and bool")]
    [InlineData("(set p (neg flag))", "'neg' takes a float or an int, not a bool")]
    [InlineData("(set p (cond flag p n))", "the arms of 'cond' must have the same type, but are float and int")]
    [InlineData("(set p (cond p p p))", "the condition of 'cond' must be bool, but it is float")]
    [InlineData("(if p (block) (block))", "the condition of 'if' must be bool, but it is float")]
    [InlineData("(set p (tofloat p))", "'tofloat' takes an int, not float")]
    [InlineData("(set p (cond (not p) p p))", "'not' takes a bool, not float")]
    [InlineData("(set p (cond (and flag n) p p))", "'and' takes two bools, but has bool and int")]
    [InlineData("(set p (cond (lt flag flag) p p))", "'lt' takes two operands of the same type (float or int), but has bool and bool")]
    [InlineData("(set p (cond (eq p n) p p))", "'eq' takes two operands of the same type (float, int or bool), but has float and int")]
    [InlineData("(set p (call sqrt n))", "the function 'sqrt' takes floats, but operand 1 is int")]
    [InlineData("(set p n)", "'p' is float but the value assigned is int")]
    [InlineData("(local x int p)", "the local 'x' is int but its initializer is float")]
    public void TypeErrors(string statement, string expected)
    {
        Assert.Contains(expected, Fails(Body(statement)));
    }

    [Theory]
    [InlineData("(set p (float 1.2.3))", "expected a float literal")]
    [InlineData("(set p (float))", "expected a float literal, found ')'")]
    [InlineData("(local i int (int 2147483648))", "expected an int literal")]
    [InlineData("(local i int (int 1.5))", "expected an int literal")]
    [InlineData("(local b bool (bool yes))", "expected 'true' or 'false', found 'yes'")]
    [InlineData("(set p (float 1 2))", "expected ')' to close the float literal, found '2'")]
    [InlineData("(set p 1.0)", "expected an expression (a name, or a form in parentheses")]
    [InlineData("(local x double)", "expected a type (float, int or bool), found 'double'")]
    [InlineData("(if flag (set p g) (block))", "expected 'block', found 'set'")]
    [InlineData("(if flag (block))", "expected '(' to start the second block of 'if' '(block ...)', found ')'")]
    public void MalformedForms(string statement, string expected)
    {
        Assert.Contains(expected, Fails(Body(statement)));
    }

    [Fact]
    public void DeclarationErrors()
    {
        Assert.Contains("the name 'x' is declared twice", Fails("(rule R (param p) (grad g) (state x) (hyper x float) (body))"));
        Assert.Contains("the name 'p' is declared twice", Fails("(rule R (param p) (grad p) (body))"));
        Assert.Contains("declares a second parameter 'q'", Fails("(rule R (param p) (param q) (grad g) (body))"));
        Assert.Contains("declares no gradient", Fails("(rule R (param p) (body))"));
        Assert.Contains("declares no parameter", Fails("(rule R (grad g) (body))"));
        Assert.Contains("declares a second step", Fails("(rule R (param p) (grad g) (step t) (step u) (body))"));
        Assert.Contains("expected a declaration (param, grad, state, tensor, hyper, step) or 'body', found 'velocity'",
            Fails("(rule R (param p) (grad g) (velocity v) (body))"));
        Assert.Contains("expected the hyper-parameter's name (an identifier), found '1x'", Fails("(rule R (param p) (grad g) (hyper 1x float) (body))"));
        Assert.Contains("expected a type (float, int or bool), found ')'", Fails("(rule R (param p) (grad g) (hyper lr) (body))"));
        Assert.Contains("expected '(' to start a declaration or the body, found ')'", Fails("(rule R (param p) (grad g))"));
    }

    [Fact]
    public void LocalScopes()
    {
        // Sibling blocks may reuse a name; a local is not visible after its block.
        UpdateRule.Parse(Body("(if flag (block (local x float g) (set p x)) (block (local x int n) (set p (tofloat x))))"));
        Assert.Contains("unknown name 'x'", Fails(Body("(if flag (block (local x float g)) (block)) (set p x)")));
        Assert.Contains("the local 'x' is already declared", Fails(Body("(local x float g) (local x float g)")));
        Assert.Contains("the local 'x' is already declared", Fails(Body("(local x float g) (if flag (block (local x float g)) (block))")));

        // A local's initializer cannot read the local itself.
        Assert.Contains("unknown name 'y'", Fails(Body("(local y float y)")));
    }

    [Fact]
    public void LocalsMayShadowDeclaredNames()
    {
        UpdateRule rule = UpdateRule.Parse(Body("(local lr float (float 2)) (set lr (mul lr g)) (set p lr)"));
        float[] p = { 0f };
        RuleInterpreter.Run<float>(rule, p, new[] { 3f }, new[] { new float[1] }, new float[1], new double[] { 100, 0, 0 }, 1);
        Assert.Equal(6f, p[0]);
    }

    [Fact]
    public void ErrorsGiveLineAndColumnOnLaterLines()
    {
        string message = Fails("(rule R\n  (param p)\n  (grad g)\n  (body\n    (set p (call sqrt p p))))");
        Assert.Contains("line 5, column 18", message);
    }
}
