using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// docs/diagnostics holds one page per diagnostic (KDxxxx.md) and a README table of them all. The pages and the descriptors
/// must match one to one, and each page's examples are real: its "Wrong" block makes the generator report the page's
/// diagnostic, and its "Right" block generates an experiment that compiles without warnings.
/// </summary>
public sealed class DiagnosticDocsTests
{
    private static readonly Regex PageName = new(@"^KD\d{4}\.md$", RegexOptions.CultureInvariant);

    private static readonly Lazy<IReadOnlyDictionary<string, DiagnosticDescriptor>> AllDescriptors = new(LoadDescriptors);

    /// <summary>Every diagnostic ID that has a descriptor or a page (a mismatch fails <see cref="Every_descriptor_has_a_page_and_every_page_a_descriptor"/>).</summary>
    public static TheoryData<string> PageIds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var id in Descriptors.Keys.Union(PageFileIds()).OrderBy(id => id, StringComparer.Ordinal)) data.Add(id);
            return data;
        }
    }

    private static IReadOnlyDictionary<string, DiagnosticDescriptor> Descriptors => AllDescriptors.Value;

    [Fact]
    public void Every_descriptor_has_a_page_and_every_page_a_descriptor()
    {
        Assert.NotEmpty(Descriptors);
        var pages = PageFileIds().ToList();
        Assert.Empty(Descriptors.Keys.Except(pages).OrderBy(id => id, StringComparer.Ordinal)); // descriptors without a page
        Assert.Empty(pages.Except(Descriptors.Keys).OrderBy(id => id, StringComparer.Ordinal)); // pages without a descriptor
    }

    [Fact]
    public void Readme_table_lists_every_diagnostic_with_title_severity_and_link()
    {
        string readme = Path.Combine(DocsDirectory(), "README.md");
        Assert.True(File.Exists(readme), $"Missing {readme}.");
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(readme).Select(l => l.Trim()).Where(l => l.StartsWith("| [KD", StringComparison.Ordinal)))
        {
            string[] cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            var link = Regex.Match(cells[0], @"^\[(KD\d{4})\]\((KD\d{4})\.md\)$", RegexOptions.CultureInvariant);
            Assert.True(link.Success, $"README row does not start with a [KDxxxx](KDxxxx.md) link: {line}");
            Assert.Equal(link.Groups[1].Value, link.Groups[2].Value);
            Assert.True(rows.TryAdd(link.Groups[1].Value, cells), $"README lists {link.Groups[1].Value} twice.");
        }

        Assert.Equal(Descriptors.Keys.OrderBy(id => id, StringComparer.Ordinal), rows.Keys.OrderBy(id => id, StringComparer.Ordinal));
        foreach (var (id, cells) in rows)
        {
            var descriptor = Descriptors[id];
            Assert.Equal(3, cells.Length);
            Assert.Equal(descriptor.Title.ToString(CultureInfo.InvariantCulture), cells[1]);
            Assert.Equal(descriptor.DefaultSeverity.ToString(), cells[2]);
        }
    }

    [Theory]
    [MemberData(nameof(PageIds))]
    public void Page_title_severity_and_message_match_the_descriptor(string id)
    {
        var descriptor = Assert.Contains(id, Descriptors);
        var lines = ReadPage(id);
        Assert.Equal($"# {id}: {descriptor.Title.ToString(CultureInfo.InvariantCulture)}", lines[0]);
        Assert.Contains($"- **Severity:** {descriptor.DefaultSeverity}", lines);
        string message = $"- **Message:** `{descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture)}`";
        Assert.True(lines.Any(l => l.StartsWith(message, StringComparison.Ordinal)), $"{id}.md has no line starting with: {message}");
        Assert.EndsWith($"docs/diagnostics/{id}.md", descriptor.HelpLinkUri);
    }

    [Theory]
    [MemberData(nameof(PageIds))]
    public void Wrong_example_reports_the_diagnostic(string id)
    {
        Assert.True(Descriptors.ContainsKey(id), $"{id}.md has no descriptor.");
        string source = CodeBlock(ReadPage(id), "Wrong");
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);

        Assert.Null(result.Exception);
        string reported = Describe(result.Diagnostics);
        Assert.True(result.Diagnostics.Any(d => d.Id == id), $"The Wrong example of {id} reports {reported}.");
        // The example shows this one problem: it triggers nothing else, and everything it reports is in the example itself.
        Assert.True(result.Diagnostics.All(d => d.Id == id), $"The Wrong example of {id} also reports other diagnostics: {reported}.");
        Assert.All(result.Diagnostics, d => Assert.Equal("Source1.cs", d.Location.GetLineSpan().Path));
        // An error stops generation; after a warning the experiment is still generated (and must then compile).
        if (Descriptors[id].DefaultSeverity == DiagnosticSeverity.Error) Assert.Empty(result.GeneratedSources);
        else Assert.Single(result.GeneratedSources);
        // It is a complete source file: apart from KdDsl's diagnostic, the compiler has nothing to say about it.
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
    }

    [Theory]
    [MemberData(nameof(PageIds))]
    public void Right_example_generates_code_that_compiles_without_warnings(string id)
    {
        string source = CodeBlock(ReadPage(id), "Right");
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);

        Assert.Null(result.Exception);
        Assert.True(result.Diagnostics.IsEmpty, $"The Right example of {id} reports {Describe(result.Diagnostics)}.");
        Assert.Single(result.GeneratedSources);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
    }

    private static IReadOnlyDictionary<string, DiagnosticDescriptor> LoadDescriptors()
    {
        var type = typeof(DistillationGenerator).Assembly.GetType("KdDsl.Generators.Diagnostics.DiagnosticDescriptors", throwOnError: true)!;
        var descriptors = type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.IsInitOnly && f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();
        var byId = new Dictionary<string, DiagnosticDescriptor>(StringComparer.Ordinal);
        foreach (var descriptor in descriptors)
        {
            if (!byId.TryAdd(descriptor.Id, descriptor))
                throw new InvalidOperationException($"Two descriptors share the ID {descriptor.Id}.");
        }
        return byId;
    }

    private static string DocsDirectory([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "..", "docs", "diagnostics"));

    private static IEnumerable<string> PageFileIds()
    {
        string folder = DocsDirectory();
        if (!Directory.Exists(folder)) return Array.Empty<string>();
        return Directory.EnumerateFiles(folder, "*.md")
            .Select(path => Path.GetFileName(path))
            .Where(name => PageName.IsMatch(name))
            .Select(name => Path.GetFileNameWithoutExtension(name))
            .ToList();
    }

    private static string[] ReadPage(string id)
    {
        string path = Path.Combine(DocsDirectory(), id + ".md");
        Assert.True(File.Exists(path), $"Missing page {path}.");
        return File.ReadAllLines(path);
    }

    /// <summary>The single ```csharp block of the page's "## {heading}" section, which ends at the next heading outside a code block.</summary>
    private static string CodeBlock(string[] lines, string heading)
    {
        int start = Array.FindIndex(lines, l => l.TrimEnd() == "## " + heading);
        Assert.True(start >= 0, $"The page has no '## {heading}' section.");
        Assert.Equal(1, lines.Count(l => l.TrimEnd() == "## " + heading));

        var blocks = new List<(string Language, List<string> Lines)>();
        List<string>? current = null;
        for (int i = start + 1; i < lines.Length; i++)
        {
            string line = lines[i];
            if (current is null)
            {
                if (line.StartsWith('#')) break;
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    current = new List<string>();
                    blocks.Add((line.Substring(3).Trim(), current));
                }
            }
            else if (line.TrimEnd() == "```")
            {
                current = null;
            }
            else
            {
                current.Add(line);
            }
        }
        Assert.True(current is null, $"The '## {heading}' section has an unclosed code block.");
        var block = Assert.Single(blocks);
        Assert.Equal("csharp", block.Language);

        string source = string.Join("\n", block.Lines) + "\n";
        Assert.Contains("using KdDsl;", source);
        Assert.Contains("using Sample;", source);
        return source;
    }

    private static string Describe(IEnumerable<Diagnostic> diagnostics)
    {
        var list = diagnostics.Select(d => d.ToString()).ToList();
        return list.Count == 0 ? "no diagnostics" : string.Join("; ", list);
    }
}
