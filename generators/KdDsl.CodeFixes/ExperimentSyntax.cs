using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using Microsoft.CodeAnalysis.Text;

namespace KdDsl.CodeFixes;

/// <summary>
/// Syntax helpers shared by the code fixes: finding what a diagnostic points at, and editing attribute lists and arguments
/// while keeping the user's layout (indentation and line endings are copied from the neighbouring code, not reformatted).
/// </summary>
internal static class ExperimentSyntax
{
    private static readonly string KdDslNamespace = AttributeNames.Namespace;

    /// <summary>The attribute argument a diagnostic points at (KD0007, KD0009, KD0010, KD0011, KD0014, KD0015).</summary>
    public static AttributeArgumentSyntax? FindArgument(SyntaxNode root, TextSpan span) =>
        span.End <= root.FullSpan.End
            ? root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>()
            : null;

    /// <summary>The class whose identifier a diagnostic points at (KD0001, KD0002, KD0003, KD0006).</summary>
    public static ClassDeclarationSyntax? FindClass(SyntaxNode root, TextSpan span) =>
        span.End <= root.FullSpan.End ? root.FindToken(span.Start).Parent?.FirstAncestorOrSelf<ClassDeclarationSyntax>() : null;

    /// <summary>The name of a named argument (<c>Weight</c> in <c>Weight = 2</c>), or null for a positional one.</summary>
    public static string? NameOf(AttributeArgumentSyntax argument) => argument.NameEquals?.Name.Identifier.ValueText;

    /// <summary>
    /// The short name (<c>Loss</c>, <c>Train</c>, ...) of a KdDsl attribute, or null when <paramref name="attribute"/> is not one.
    /// Binds semantically, so aliases and qualified names work; falls back to the written name when binding fails.
    /// </summary>
    public static string? KdDslAttributeName(SemanticModel model, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        var info = model.GetSymbolInfo(attribute, cancellationToken);
        var type = (info.Symbol ?? info.CandidateSymbols.FirstOrDefault())?.ContainingType;
        if (type is not null)
        {
            if (type.ContainingNamespace?.ToDisplayString() != KdDslNamespace || type.ContainingType is not null) return null;
            return StripAttributeSuffix(type.Name);
        }
        return StripAttributeSuffix(RightmostName(attribute.Name));
    }

    /// <summary>The name of the enum member an expression evaluates to (<c>KlDivergence</c> for <c>LossKind.KlDivergence</c>), if constant.</summary>
    public static string? EnumMemberName(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        var constant = model.GetConstantValue(expression, cancellationToken);
        if (!constant.HasValue || constant.Value is null) return null;
        if (model.GetTypeInfo(expression, cancellationToken).ConvertedType is not INamedTypeSymbol { TypeKind: TypeKind.Enum } type) return null;
        foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
        {
            if (field.HasConstantValue && Equals(field.ConstantValue, constant.Value)) return field.Name;
        }
        return null;
    }

    /// <summary>The constant value of an expression as a double (int and double arguments alike), or null when not constant.</summary>
    public static double? NumericValue(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        var constant = model.GetConstantValue(expression, cancellationToken);
        return constant.HasValue ? constant.Value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            _ => null,
        } : null;
    }

    /// <summary>The kind of the <c>[Loss(kind)]</c> attribute an argument belongs to (<c>KlDivergence</c>, ...), if it is one.</summary>
    public static string? LossKindOf(SemanticModel model, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        var first = attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null && a.NameColon is null)
            ?? attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == "kind");
        return first is null ? null : EnumMemberName(model, first.Expression, cancellationToken);
    }

    /// <summary>A numeric literal for a finite value: an integer literal when the value is whole (valid for int and double settings).</summary>
    public static ExpressionSyntax Number(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(value));
        if (value == 0) value = 0; // no "-0"
        bool whole = value == Math.Floor(value) && Math.Abs(value) <= int.MaxValue;
        double magnitude = Math.Abs(value);
        // A whole number is written as an int literal: valid for int settings (Epochs) and double ones (Temperature) alike.
        var literal = whole
            ? SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal((int)magnitude))
            : SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression,
                SyntaxFactory.Literal(magnitude.ToString("R", CultureInfo.InvariantCulture), magnitude));
        return value < 0 ? SyntaxFactory.PrefixUnaryExpression(SyntaxKind.UnaryMinusExpression, literal) : literal;
    }

    /// <summary>How a number is shown in a code fix title.</summary>
    public static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Replaces the value of an argument, keeping the trivia around it.</summary>
    public static SyntaxNode ReplaceValue(SyntaxNode root, AttributeArgumentSyntax argument, ExpressionSyntax value) =>
        root.ReplaceNode(argument.Expression, value.WithTriviaFrom(argument.Expression));

    /// <summary>Removes one argument; <c>[Train(Momentum = 0.9)]</c> becomes <c>[Train]</c>.</summary>
    public static SyntaxNode RemoveArgument(SyntaxNode root, AttributeArgumentSyntax argument)
    {
        var list = (AttributeArgumentListSyntax)argument.Parent!;
        if (list.Arguments.Count == 1)
        {
            var attribute = (AttributeSyntax)list.Parent!;
            return root.ReplaceNode(attribute, attribute.WithArgumentList(null).WithTrailingTrivia(
                attribute.GetTrailingTrivia()));
        }
        // Removes the comma after the argument, or the one before it when it is the last.
        return root.ReplaceNode(list, list.WithArguments(list.Arguments.Remove(argument)));
    }

    /// <summary>Appends a named argument <c>name = value</c> to an attribute.</summary>
    public static AttributeSyntax AddNamedArgument(AttributeSyntax attribute, string name, ExpressionSyntax value)
    {
        var argument = SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(name), SyntaxFactory.Token(SyntaxKind.EqualsToken)
                .WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space)),
            nameColon: null,
            value);
        if (attribute.ArgumentList is null || attribute.ArgumentList.Arguments.Count == 0)
            return attribute.WithArgumentList(SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(argument)));
        var list = attribute.ArgumentList;
        var separator = SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
        var items = list.Arguments.GetWithSeparators().Add(separator).Add(argument);
        return attribute.WithArgumentList(list.WithArguments(SyntaxFactory.SeparatedList<AttributeArgumentSyntax>(items)));
    }

    /// <summary>
    /// Removes one attribute from a class: the whole <c>[...]</c> line when it is alone in its list, else just that entry.
    /// Comments above a removed list (a doc comment above the first one, say) stay where they were.
    /// </summary>
    public static SyntaxNode RemoveAttribute(SyntaxNode root, AttributeSyntax attribute)
    {
        var list = (AttributeListSyntax)attribute.Parent!;
        if (list.Attributes.Count > 1)
            return root.ReplaceNode(list, list.WithAttributes(list.Attributes.Remove(attribute)));
        if (list.Parent is not ClassDeclarationSyntax declaration) return root;

        int index = declaration.AttributeLists.IndexOf(list);
        var leading = list.GetLeadingTrivia();
        var updated = declaration.WithAttributeLists(declaration.AttributeLists.RemoveAt(index));
        if (leading.Any(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia)))
        {
            // The token that now follows takes over the removed list's leading trivia (which ends with the same indentation).
            var next = index < updated.AttributeLists.Count
                ? updated.AttributeLists[index].GetFirstToken()
                : updated.Modifiers.Count > 0 ? updated.Modifiers[0] : updated.Keyword;
            updated = updated.ReplaceToken(next, next.WithLeadingTrivia(leading));
        }
        return root.ReplaceNode(declaration, updated);
    }

    /// <summary>
    /// Inserts a new attribute list where KdDsl's own examples put it: Distillation, Dataset, Teacher, Student, Loss, Train.
    /// The new list copies the indentation and line ending of the list it follows.
    /// </summary>
    public static ClassDeclarationSyntax InsertAttributeList(
        ClassDeclarationSyntax declaration, AttributeListSyntax newList, int rank, Func<AttributeListSyntax, int?> rankOf)
    {
        var lists = declaration.AttributeLists;
        int after = -1;
        for (int i = 0; i < lists.Count; i++)
        {
            if (rankOf(lists[i]) is int r && r <= rank) after = i;
        }
        if (after < 0) after = lists.Count - 1;
        if (after < 0)
        {
            // No attribute list at all (cannot happen for a [Distillation] class, kept for safety): put it on the class's line.
            var first = declaration.GetFirstToken();
            var placed = newList.WithLeadingTrivia(first.LeadingTrivia).WithTrailingTrivia(SyntaxFactory.Space);
            return declaration.ReplaceToken(first, first.WithLeadingTrivia()).WithAttributeLists(SyntaxFactory.SingletonList(placed));
        }

        var anchor = lists[after];
        var trailing = anchor.GetTrailingTrivia();
        var lineEnd = trailing.LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        AttributeListSyntax inserted;
        if (lineEnd.IsKind(SyntaxKind.EndOfLineTrivia))
        {
            inserted = newList.WithLeadingTrivia(Indentation(anchor.GetLeadingTrivia())).WithTrailingTrivia(lineEnd);
        }
        else
        {
            inserted = newList.WithLeadingTrivia().WithTrailingTrivia(trailing.Count > 0 ? trailing : SyntaxFactory.TriviaList(SyntaxFactory.Space));
        }
        return declaration.WithAttributeLists(lists.Insert(after + 1, inserted));
    }

    /// <summary>The whitespace that starts the anchor's line (what follows the last line break of its leading trivia).</summary>
    private static SyntaxTriviaList Indentation(SyntaxTriviaList leading)
    {
        int start = leading.Count;
        while (start > 0 && leading[start - 1].IsKind(SyntaxKind.WhitespaceTrivia)) start--;
        return SyntaxFactory.TriviaList(leading.Skip(start));
    }

    /// <summary>
    /// A reference to a KdDsl attribute written the way the experiment writes <c>[Distillation]</c> when that is a plain or
    /// qualified name (<c>Teacher</c>, <c>KdDsl.Teacher</c>); otherwise fully qualified and left to the simplifier.
    /// </summary>
    public static NameSyntax AttributeNameLike(ClassDeclarationSyntax declaration, SemanticModel model, string shortName, CancellationToken cancellationToken)
    {
        foreach (var list in declaration.AttributeLists)
        {
            foreach (var attribute in list.Attributes)
            {
                if (KdDslAttributeName(model, attribute, cancellationToken) != AttributeNames.Distillation) continue;
                string written = RightmostName(attribute.Name);
                if (written == AttributeNames.Distillation || written == nameof(DistillationAttribute))
                {
                    string replacement = written == AttributeNames.Distillation ? shortName : shortName + "Attribute";
                    return attribute.Name switch
                    {
                        QualifiedNameSyntax q => SyntaxFactory.QualifiedName(q.Left.WithoutTrivia(), SyntaxFactory.IdentifierName(replacement)),
                        AliasQualifiedNameSyntax a => SyntaxFactory.AliasQualifiedName(a.Alias.WithoutTrivia(), SyntaxFactory.IdentifierName(replacement)),
                        _ => SyntaxFactory.IdentifierName(replacement),
                    };
                }
            }
        }
        return SyntaxFactory.ParseName("global::" + KdDslNamespace + "." + shortName).WithAdditionalAnnotations(Simplifier.Annotation);
    }

    /// <summary>An expression naming a KdDsl enum member (<c>OptimizerKind.Sgd</c>), simplified against the file's usings.</summary>
    public static ExpressionSyntax EnumMember<TEnum>(TEnum member) where TEnum : struct, Enum =>
        SyntaxFactory.ParseExpression("global::" + typeof(TEnum).FullName + "." + member).WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>The text after the last '.' or '::' of a name.</summary>
    public static string RightmostName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax q => q.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
        SimpleNameSyntax s => s.Identifier.ValueText,
        _ => name.ToString(),
    };

    private static string StripAttributeSuffix(string name) => AttributeNames.StripSuffix(name);
}
