using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace KdDsl.Generators.Emitting;

/// <summary>
/// The one text writer every emitter uses: indented lines (blank lines carry no indentation), braces around blocks, and the
/// invariant spelling of the literals the generated code contains.
/// </summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder text = new();

    /// <summary>The current indentation, in steps of four spaces.</summary>
    public int Indent { get; set; }

    /// <summary>Writes one line at the current indentation (a blank line has none).</summary>
    public void Line(string line = "")
    {
        if (line.Length > 0) text.Append(' ', 4 * Indent).Append(line);
        text.Append('\n');
    }

    /// <summary>The longest line the writer produces where it can break one (generated code is read in the IDE).</summary>
    public const int MaxLineLength = 140;

    /// <summary>
    /// Writes <paramref name="head"/>, the <paramref name="items"/> separated by commas, and <paramref name="tail"/>: on one line
    /// when it fits in <see cref="MaxLineLength"/>, else breaking after commas, the continuation lines one step further in.
    /// </summary>
    public void Wrapped(string head, IReadOnlyList<string> items, string tail)
    {
        string single = head + string.Join(", ", items) + tail;
        if (4 * Indent + single.Length <= MaxLineLength || items.Count == 0)
        {
            Line(single);
            return;
        }
        var current = new StringBuilder(head);
        int width = 4 * Indent;
        bool first = true;
        bool continued = false;
        for (int i = 0; i < items.Count; i++)
        {
            string item = items[i] + (i == items.Count - 1 ? tail : ",");
            int needed = current.Length + (first ? 0 : 1) + item.Length;
            if (!first && width + needed > MaxLineLength)
            {
                Line(current.ToString());
                if (!continued)
                {
                    Indent++;
                    continued = true;
                }
                width = 4 * Indent;
                current.Clear();
                first = true;
            }
            if (!first) current.Append(' ');
            current.Append(item);
            first = false;
        }
        Line(current.ToString());
        if (continued) Indent--;
    }

    /// <summary>
    /// Writes <paramref name="prefix"/> + <paramref name="call"/> + <paramref name="suffix"/>; when that is too long and
    /// <paramref name="call"/> is a method call, its arguments are wrapped as <see cref="Wrapped"/> does.
    /// </summary>
    public void Call(string prefix, string call, string suffix)
    {
        if (4 * Indent + prefix.Length + call.Length + suffix.Length <= MaxLineLength || SplitCall(call) is not { } split)
        {
            Line(prefix + call + suffix);
            return;
        }
        Wrapped(prefix + split.Head, split.Arguments, ")" + suffix);
    }

    /// <summary>A call <c>f(a, b(c), d)</c> as its head <c>f(</c> and its top-level arguments, or null when it is not one.</summary>
    private static (string Head, IReadOnlyList<string> Arguments)? SplitCall(string call)
    {
        if (call.Length == 0 || call[call.Length - 1] != ')') return null;
        int depth = 0, open = -1;
        for (int i = call.Length - 1; i >= 0; i--)
        {
            if (call[i] == ')') depth++;
            else if (call[i] == '(' && --depth == 0)
            {
                open = i;
                break;
            }
        }
        if (open <= 0) return null;
        var arguments = new List<string>();
        int start = open + 1;
        depth = 0;
        for (int i = start; i < call.Length - 1; i++)
        {
            char c = call[i];
            if (c is '(' or '[' or '{' or '<') depth++;
            else if (c is ')' or ']' or '}' or '>') depth--;
            else if (c == '"') i = call.IndexOf('"', i + 1); // string literals hold no separators here
            else if (c == ',' && depth == 0)
            {
                arguments.Add(call.Substring(start, i - start).Trim());
                start = i + 1;
            }
            if (i < 0) return null;
        }
        arguments.Add(call.Substring(start, call.Length - 1 - start).Trim());
        return (call.Substring(0, open + 1), arguments);
    }

    /// <summary>Writes <paramref name="header"/>, then <paramref name="body"/> one step further in, between braces.</summary>
    public void Block(string header, Action body, string end = "")
    {
        Line(header);
        Block(body, end);
    }

    /// <summary>Writes <paramref name="body"/> one step further in, between braces; <paramref name="end"/> follows the closing one.</summary>
    public void Block(Action body, string end = "")
    {
        Line("{");
        Indent++;
        body();
        Indent--;
        Line("}" + end);
    }

    /// <summary>A <c>/// &lt;summary&gt;</c> of one line.</summary>
    public void Summary(string summary) => Line($"/// <summary>{summary}</summary>");

    /// <inheritdoc />
    public override string ToString() => text.ToString();

    /// <summary>An <c>int</c> literal.</summary>
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A <c>double</c> literal that round-trips (<c>0.1d</c>); NaN and infinities by name.</summary>
    public static string Double(double value) =>
        double.IsNaN(value) ? "double.NaN"
        : double.IsPositiveInfinity(value) ? "double.PositiveInfinity"
        : double.IsNegativeInfinity(value) ? "double.NegativeInfinity"
        : value.ToString("R", CultureInfo.InvariantCulture) + "d";

    /// <summary>A <c>bool</c> literal.</summary>
    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A string literal, escaped.</summary>
    public static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>A string literal, or <c>null</c>.</summary>
    public static string LiteralOrNull(string? value) => value is null ? "null" : Literal(value);

    /// <summary>An identifier as C# source: <c>@</c> before a keyword or contextual keyword (<c>@class</c>, <c>@record</c>).</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A dotted namespace name as C# source, each part through <see cref="Identifier"/>.</summary>
    public static string QualifiedName(string name) => string.Join(".", Array.ConvertAll(name.Split('.'), Identifier));

    /// <summary>The name with its first letter lower-cased (a local for a member).</summary>
    public static string Camel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);
}
