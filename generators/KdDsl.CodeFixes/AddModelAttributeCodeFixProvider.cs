using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace KdDsl.CodeFixes;

/// <summary>
/// KD0002 / KD0003: adds the missing <c>[Teacher(typeof(M))]</c> / <c>[Student(typeof(M))]</c>. There is one fix per model
/// the user could mean: the TorchSharp modules declared in the project that KdDsl can construct (a public
/// <c>(int, int)</c> or parameterless constructor), those whose name says the role first, the model already used for the
/// other role last (distilling a model into its own architecture is valid, and it is the only candidate when the models
/// live in another assembly). No fix is offered when there is no such model: a placeholder like <c>typeof(object)</c>
/// would only trade this error for KD0004. For KD0002 there is also <c>[SelfTeacher]</c> (teacher-free KD).
/// </summary>
public abstract class AddModelAttributeCodeFixProvider : CodeFixProvider
{
    /// <summary>At most this many model candidates are offered.</summary>
    internal const int MaxCandidates = 5;

    private const string TorchModule = "TorchSharp.torch+nn+Module`2";
    private const string TorchTensor = "TorchSharp.torch+Tensor";

    private readonly string diagnosticId;
    private readonly string role;
    private readonly string otherRole;

    private protected AddModelAttributeCodeFixProvider(string diagnosticId, string role, string otherRole)
    {
        this.diagnosticId = diagnosticId;
        this.role = role;
        this.otherRole = otherRole;
        FixableDiagnosticIds = ImmutableArray.Create(diagnosticId);
    }

    /// <inheritdoc />
    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; }

    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <summary>Fixes offered after the model candidates (e.g. [SelfTeacher]).</summary>
    private protected virtual IEnumerable<CodeAction> ExtraFixes(Document document, ClassDeclarationSyntax declaration, SemanticModel model) =>
        Enumerable.Empty<CodeAction>();

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var cancellationToken = context.CancellationToken;
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;

        foreach (var diagnostic in context.Diagnostics)
        {
            var declaration = ExperimentSyntax.FindClass(root, diagnostic.Location.SourceSpan);
            if (declaration is null || ExperimentAttributes.Has(declaration, model, role, cancellationToken)) continue;
            if (model.GetDeclaredSymbol(declaration, cancellationToken) is not { } experiment) continue;

            foreach (var candidate in Candidates(model.Compilation, experiment, OtherRoleModel(declaration, model, cancellationToken), cancellationToken))
            {
                string shown = candidate.ToMinimalDisplayString(model, declaration.SpanStart);
                var type = SyntaxFactory.ParseTypeName(candidate.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
                    .WithAdditionalAnnotations(Simplifier.Annotation);
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Add [{role}(typeof({shown}))]",
                        ct => ExperimentAttributes.AddAsync(document, declaration, role, ExperimentAttributes.Arguments(SyntaxFactory.TypeOfExpression(type)), ct),
                        diagnosticId + ".Add" + role + ":" + candidate.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)),
                    diagnostic);
            }
            foreach (var extra in ExtraFixes(document, declaration, model))
                context.RegisterCodeFix(extra, diagnostic);
        }
    }

    /// <summary>The type in <c>[Teacher(typeof(M))]</c> / <c>[Student(typeof(M))]</c> for the other role, when declared.</summary>
    private INamedTypeSymbol? OtherRoleModel(ClassDeclarationSyntax declaration, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var attribute in declaration.AttributeLists.SelectMany(l => l.Attributes))
        {
            if (ExperimentSyntax.KdDslAttributeName(model, attribute, cancellationToken) != otherRole) continue;
            if (attribute.ArgumentList?.Arguments.FirstOrDefault()?.Expression is TypeOfExpressionSyntax typeOf
                && model.GetTypeInfo(typeOf.Type, cancellationToken).Type is INamedTypeSymbol type && type.TypeKind != TypeKind.Error)
                return type;
        }
        return null;
    }

    /// <summary>The models to offer, best first.</summary>
    private IReadOnlyList<INamedTypeSymbol> Candidates(Compilation compilation, INamedTypeSymbol experiment, INamedTypeSymbol? other, CancellationToken cancellationToken)
    {
        var module = compilation.GetTypeByMetadataName(TorchModule);
        var tensor = compilation.GetTypeByMetadataName(TorchTensor);
        if (module is null || tensor is null) return Array.Empty<INamedTypeSymbol>();

        var found = new List<INamedTypeSymbol>();
        foreach (var type in SourceTypes(compilation.Assembly.GlobalNamespace, cancellationToken))
        {
            if (IsUsableModel(type, module, tensor) && compilation.IsSymbolAccessibleWithin(type, experiment)) found.Add(type);
        }
        if (other is not null && IsUsableModel(other, module, tensor) && !found.Contains(other, SymbolEqualityComparer.Default))
            found.Add(other);

        return found
            .OrderBy(t => SymbolEqualityComparer.Default.Equals(t, other) ? 1 : 0)
            .ThenBy(t => NameHint(t.Name))
            .ThenBy(t => t.ToDisplayString(), StringComparer.Ordinal)
            .Take(MaxCandidates)
            .ToList();
    }

    /// <summary>0 when the name says this role (WideTeacher for the teacher), 2 when it says the other, else 1.</summary>
    private int NameHint(string name) =>
        name.IndexOf(role, StringComparison.OrdinalIgnoreCase) >= 0 ? 0
        : name.IndexOf(otherRole, StringComparison.OrdinalIgnoreCase) >= 0 ? 2
        : 1;

    private static IEnumerable<INamedTypeSymbol> SourceTypes(INamespaceOrTypeSymbol container, CancellationToken cancellationToken)
    {
        foreach (var member in container.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is INamespaceSymbol ns)
            {
                foreach (var type in SourceTypes(ns, cancellationToken)) yield return type;
            }
            else if (member is INamedTypeSymbol type)
            {
                yield return type;
                foreach (var nested in SourceTypes(type, cancellationToken)) yield return nested;
            }
        }
    }

    /// <summary>What the generator accepts: a concrete, non-generic torch.nn.Module&lt;Tensor, Tensor&gt; with a usable constructor.</summary>
    private static bool IsUsableModel(INamedTypeSymbol type, INamedTypeSymbol module, INamedTypeSymbol tensor)
    {
        if (type.TypeKind != TypeKind.Class || type.IsAbstract || type.IsStatic || type.IsGenericType) return false;
        for (var containing = type.ContainingType; containing is not null; containing = containing.ContainingType)
        {
            if (containing.IsGenericType) return false;
        }
        bool isModule = false;
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, module))
            {
                isModule = current.TypeArguments.All(a => SymbolEqualityComparer.Default.Equals(a, tensor));
                break;
            }
        }
        if (!isModule) return false;
        return type.InstanceConstructors.Any(c => c.DeclaredAccessibility == Accessibility.Public
            && (c.Parameters.Length == 0
                || (c.Parameters.Length == 2 && c.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Int32 && p.RefKind == RefKind.None))));
    }
}

/// <summary>KD0002: adds a <c>[Teacher(typeof(M))]</c> (one fix per candidate model) or <c>[SelfTeacher]</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddTeacherCodeFixProvider)), Shared]
public sealed class AddTeacherCodeFixProvider : AddModelAttributeCodeFixProvider
{
    /// <summary>Creates the provider.</summary>
    public AddTeacherCodeFixProvider() : base(DiagnosticIds.MissingTeacher, AttributeNames.Teacher, AttributeNames.Student)
    {
    }

    private protected override IEnumerable<CodeAction> ExtraFixes(Document document, ClassDeclarationSyntax declaration, SemanticModel model)
    {
        // Teacher-free KD: only where the referenced KdDsl has it, and not if the class already says so.
        if (model.Compilation.GetTypeByMetadataName(typeof(SelfTeacherAttribute).FullName) is null
            || ExperimentAttributes.Has(declaration, model, AttributeNames.SelfTeacher, CancellationToken.None))
            yield break;
        yield return CodeAction.Create(
            "Add [SelfTeacher] (the student's own architecture, trained first, is the teacher)",
            ct => ExperimentAttributes.AddAsync(document, declaration, AttributeNames.SelfTeacher, null, ct),
            DiagnosticIds.MissingTeacher + ".AddSelfTeacher");
    }
}

/// <summary>KD0003: adds a <c>[Student(typeof(M))]</c>, one fix per candidate model.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddStudentCodeFixProvider)), Shared]
public sealed class AddStudentCodeFixProvider : AddModelAttributeCodeFixProvider
{
    /// <summary>Creates the provider.</summary>
    public AddStudentCodeFixProvider() : base(DiagnosticIds.MissingStudent, AttributeNames.Student, AttributeNames.Teacher)
    {
    }
}
