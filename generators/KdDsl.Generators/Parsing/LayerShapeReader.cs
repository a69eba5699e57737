using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace KdDsl.Generators.Parsing;

/// <summary>
/// A layered model's depth and width where its source states them as constants, so the matching checks run at compile time
/// without a <c>[LayerStack]</c> that repeats them: constructors that pass constants to a library model
/// (<c>: base(inputs, classes, 12, 128)</c> to <c>LayeredMlp</c>'s <c>layers</c> and <c>width</c>),
/// <c>LayerCount</c> / <c>HiddenWidth</c> properties whose bodies are constants (<c>public int LayerCount => 12;</c>), or a
/// fixed-size list: a block field only ever assigned <c>nn.ModuleList(a, b, c)</c> with its modules listed.
/// Anything else (values computed at run time, constructors that disagree, models only in metadata) stays unknown (0).
/// </summary>
internal static class LayerShapeReader
{
    // The library's layered models and the constructor parameters that set their depth and width.
    private static readonly string[] LibraryModels = { "KdDsl.Models.LayeredMlp", "KdDsl.Models.TransformerEncoderClassifier" };
    private const string CountParameter = "layers";
    private const string WidthParameter = "width";

    /// <summary>
    /// The constant depth and width of <paramref name="model"/> (0 where not constant), each with where it comes from (for
    /// messages). A constant property comes first, then the listed modules (depth only), then a library base call.
    /// </summary>
    public static (int Count, string CountSource, int Width, string WidthSource) Read(INamedTypeSymbol model, IFieldSymbol stack,
        Compilation compilation, CancellationToken cancellationToken)
    {
        var (baseCount, baseWidth) = LibraryConstructorArguments(model, compilation, cancellationToken);
        const string fromBase = "its constructor's base(...) call";
        int count = ConstantProperty(model, "LayerCount", compilation, cancellationToken);
        string countSource = "its LayerCount";
        if (count == 0)
        {
            count = ListedModules(stack, compilation, cancellationToken);
            countSource = $"the nn.ModuleList(...) its '{stack.Name}' field is built from";
        }
        if (count == 0) (count, countSource) = (baseCount, fromBase);
        int width = ConstantProperty(model, "HiddenWidth", compilation, cancellationToken);
        string widthSource = "its HiddenWidth";
        if (width == 0) (width, widthSource) = (baseWidth, fromBase);
        return (count, countSource, width, widthSource);
    }

    /// <summary>The constant a property of the type (or a base type declared in source) returns, or 0.</summary>
    private static int ConstantProperty(INamedTypeSymbol model, string name, Compilation compilation, CancellationToken cancellationToken)
    {
        for (var current = model; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            var property = current.GetMembers(name).OfType<IPropertySymbol>().FirstOrDefault(p => !p.IsStatic);
            if (property is null) continue;
            foreach (var reference in property.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is not PropertyDeclarationSyntax declaration) continue;
                var body = declaration.ExpressionBody?.Expression ?? GetterExpression(declaration);
                if (body is null || !compilation.ContainsSyntaxTree(declaration.SyntaxTree)) return 0;
                var value = compilation.GetSemanticModel(declaration.SyntaxTree).GetConstantValue(body, cancellationToken);
                return value.HasValue && value.Value is int constant && constant > 0 ? constant : 0;
            }
            return 0; // the most derived declaration decides, even when it is not in source
        }
        return 0;
    }

    /// <summary>
    /// The number of modules listed in the <c>ModuleList</c> every assignment to <paramref name="field"/> (its initializer and
    /// constructor assignments) builds, when all agree: <c>nn.ModuleList(a, b, c)</c> or <c>new ModuleList&lt;T&gt;(a, b, c)</c>
    /// is 3; an array or collection argument, or anything else, is unknown (0).
    /// </summary>
    private static int ListedModules(IFieldSymbol field, Compilation compilation, CancellationToken cancellationToken)
    {
        var counts = new HashSet<int>();
        foreach (var typeReference in field.ContainingType.DeclaringSyntaxReferences)
        {
            var type = typeReference.GetSyntax(cancellationToken);
            // In an IDE a project reference is a compilation reference: its syntax belongs to another compilation. Unknown here,
            // as it is in a command-line build (a metadata reference), and checked when the models are built.
            if (!compilation.ContainsSyntaxTree(type.SyntaxTree)) return 0;
            var semantics = compilation.GetSemanticModel(type.SyntaxTree);
            foreach (var node in type.DescendantNodes())
            {
                ExpressionSyntax? value = node switch
                {
                    VariableDeclaratorSyntax d when d.Identifier.ValueText == field.Name && d.Initializer is { } init
                        && SymbolEqualityComparer.Default.Equals(semantics.GetDeclaredSymbol(d, cancellationToken), field) => init.Value,
                    AssignmentExpressionSyntax a when SymbolEqualityComparer.Default.Equals(semantics.GetSymbolInfo(a.Left, cancellationToken).Symbol, field) => a.Right,
                    _ => null,
                };
                if (value is null) continue;
                counts.Add(semantics.GetOperation(value, cancellationToken) switch
                {
                    IInvocationOperation call => ListedArguments(call.Arguments),
                    IObjectCreationOperation creation => ListedArguments(creation.Arguments),
                    _ => 0,
                });
            }
        }
        return counts.Count == 1 ? counts.Single() : 0;
    }

    // nn.ModuleList(params Module[]) or new ModuleList<T>(params T[]) with the modules written out: they arrive as one implicit
    // params array. An array passed as is (its length known only at run time) gives 0.
    private static int ListedArguments(IReadOnlyList<IArgumentOperation> arguments)
    {
        if (arguments.Count != 1 || arguments[0].ArgumentKind != ArgumentKind.ParamArray) return 0;
        if (arguments[0].Parameter?.ContainingSymbol is not IMethodSymbol method) return 0;
        bool moduleList = method.Name == "ModuleList" || method.MethodKind == MethodKind.Constructor && method.ContainingType.Name == "ModuleList";
        return moduleList && arguments[0].Value is IArrayCreationOperation { Initializer: { } initializer } ? initializer.ElementValues.Length : 0;
    }

    /// <summary><c>get =&gt; x;</c> or <c>get { return x; }</c>; null for anything else (auto-properties included).</summary>
    private static ExpressionSyntax? GetterExpression(PropertyDeclarationSyntax declaration)
    {
        var getter = declaration.AccessorList?.Accessors.FirstOrDefault(a => a.Keyword.ValueText == "get");
        if (getter?.ExpressionBody is { } arrow) return arrow.Expression;
        return getter?.Body?.Statements.Count == 1 && getter.Body.Statements[0] is ReturnStatementSyntax { Expression: { } returned } ? returned : null;
    }

    /// <summary>
    /// When every constructor of <paramref name="model"/> calls a library model's constructor directly with the same constant
    /// <c>layers</c> (and <c>width</c>), those constants; else 0.
    /// </summary>
    private static (int Count, int Width) LibraryConstructorArguments(INamedTypeSymbol model, Compilation compilation, CancellationToken cancellationToken)
    {
        if (model.BaseType is not { } baseType || !LibraryModels.Contains(baseType.OriginalDefinition.ToDisplayString())) return (0, 0);
        var counts = new HashSet<int>();
        var widths = new HashSet<int>();
        foreach (var constructor in model.InstanceConstructors)
        {
            if (constructor.IsImplicitlyDeclared) return (0, 0);
            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                SyntaxNode? call = reference.GetSyntax(cancellationToken) switch
                {
                    ConstructorDeclarationSyntax c => c.Initializer,
                    TypeDeclarationSyntax t => t.BaseList?.Types.OfType<PrimaryConstructorBaseTypeSyntax>().FirstOrDefault(),
                    _ => null,
                };
                if (call is null || !compilation.ContainsSyntaxTree(call.SyntaxTree)) return (0, 0);
                if (compilation.GetSemanticModel(call.SyntaxTree).GetOperation(call, cancellationToken) is not IInvocationOperation invocation
                    || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, baseType)) return (0, 0);
                counts.Add(ConstantArgument(invocation, CountParameter));
                widths.Add(ConstantArgument(invocation, WidthParameter));
            }
        }
        return (counts.Count == 1 ? counts.Single() : 0, widths.Count == 1 ? widths.Single() : 0);
    }

    private static int ConstantArgument(IInvocationOperation invocation, string parameter)
    {
        var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter);
        return argument?.Value.ConstantValue is { HasValue: true, Value: int value } && value > 0 ? value : 0;
    }
}
