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
