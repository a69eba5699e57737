using System.Threading;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KdDsl.Generators.Parsing;

/// <summary>Reads one attribute's arguments and finds where each was written, so diagnostics point at the offending argument.</summary>
internal readonly struct AttributeArguments
{
    private readonly AttributeData data;
    private readonly AttributeSyntax? syntax;

    public AttributeArguments(AttributeData data, CancellationToken cancellationToken)
    {
        this.data = data;
        syntax = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
    }

    public LocationInfo? AttributeLocation => LocationInfo.From(syntax?.GetLocation());

    /// <summary>The value of constructor argument <paramref name="index"/>, or null when it is missing or in error.</summary>
    public TypedConstant? Positional(int index) =>
        index < data.ConstructorArguments.Length && data.ConstructorArguments[index].Kind != TypedConstantKind.Error
            ? data.ConstructorArguments[index]
            : null;

    /// <summary>The value of named argument <paramref name="name"/>, or null when it was not written.</summary>
    public TypedConstant? Named(string name)
    {
        foreach (var pair in data.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Kind != TypedConstantKind.Error) return pair.Value;
        }
        return null;
    }

    public bool Has(string name) => Named(name) is not null;

    /// <summary>Every named argument that is not in error, in source order, as a C# expression (see <see cref="Constant"/>).</summary>
    public EquatableArray<DeclaredArgument> Declared()
    {
        var arguments = new System.Collections.Generic.List<DeclaredArgument>();
        foreach (var pair in data.NamedArguments)
        {
            if (pair.Value.Kind != TypedConstantKind.Error && Constant(pair.Value) is { } expression)
                arguments.Add(new DeclaredArgument(pair.Key, expression));
        }
        return new EquatableArray<DeclaredArgument>(arguments);
    }

    /// <summary>
    /// A constant as C# that means the same in any file: invariant numbers (doubles round-trip with a <c>d</c> suffix), escaped
    /// strings, and enum members as <c>global::</c>-qualified names (null for anything else, e.g. arrays).
    /// </summary>
    public static string? Constant(TypedConstant value)
    {
        if (value.Kind == TypedConstantKind.Enum && value.Type is INamedTypeSymbol enumType)
        {
            string type = enumType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            foreach (var member in enumType.GetMembers())
            {
                if (member is IFieldSymbol { HasConstantValue: true } field && Equals(field.ConstantValue, value.Value))
                    return type + "." + field.Name;
            }
            return $"({type})({System.Convert.ToString(value.Value, System.Globalization.CultureInfo.InvariantCulture)})";
        }
        return value.Value switch
        {
            null when value.Kind == TypedConstantKind.Primitive => "null",
            string s => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(s, quote: true),
            bool b => b ? "true" : "false",
            double d => Emitting.SourceWriter.Double(d),
            int i => Emitting.SourceWriter.Int(i),
            _ => null,
        };
    }

    public T NamedOr<T>(string name, T fallback) => Named(name)?.Value is T value ? value : fallback;

    public LocationInfo? PositionalLocation(int index)
    {
        if (syntax?.ArgumentList is { } list)
        {
            int position = 0;
            foreach (var argument in list.Arguments)
            {
                if (argument.NameEquals is not null || argument.NameColon is not null) continue;
                if (position++ == index) return LocationInfo.From(argument.GetLocation());
            }
        }
        return AttributeLocation;
    }

    public LocationInfo? NamedLocation(string name)
    {
        if (syntax?.ArgumentList is { } list)
        {
            foreach (var argument in list.Arguments)
            {
                if (argument.NameEquals?.Name.Identifier.ValueText == name) return LocationInfo.From(argument.GetLocation());
            }
        }
        return AttributeLocation;
    }
}
