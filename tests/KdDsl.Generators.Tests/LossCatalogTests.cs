using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using KdDsl.Generators.Catalog;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// The loss-kind catalog is the one place a kind's options, teacher needs and emitted call are written: every LossKind has an
/// entry, and the README's loss table and the KD0010 page say what the catalog says. Two kinds added through it (ReverseKl,
/// JensenShannon) generate code that compiles and calls their runtime functions.
/// </summary>
public sealed class LossCatalogTests
{
    [Fact]
    public void Every_loss_kind_has_one_catalog_entry()
    {
        var kinds = Enum.GetValues(typeof(LossKind)).Cast<LossKind>().ToList();
        Assert.Equal(kinds, LossCatalog.Entries.Select(e => e.Kind));
        Assert.All(LossCatalog.Entries, e => Assert.All(e.Options, o => Assert.Contains(o, LossCatalog.Options)));
        Assert.All(LossCatalog.Options, o => Assert.NotNull(typeof(LossAttribute).GetProperty(o)));
    }

    [Fact]
    public void KD0010_page_lists_the_options_of_every_kind_as_the_catalog_does()
    {
        var rows = TableRows(File.ReadAllText(Path.Combine(Root(), "docs", "diagnostics", "KD0010.md")), "Kind");
        Assert.Equal(LossCatalog.Entries.Select(e => e.Kind.ToString()).OrderBy(k => k), rows.Keys.OrderBy(k => k));
        foreach (var entry in LossCatalog.Entries)
            Assert.Equal(entry.Options.OrderBy(o => o), Options(rows[entry.Kind.ToString()]).OrderBy(o => o));
    }

    [Fact]
    public void Readme_loss_table_has_a_row_per_kind_naming_its_options()
    {
        var rows = TableRows(File.ReadAllText(Path.Combine(Root(), "README.md")), "`LossKind`");
        Assert.Equal(LossCatalog.Entries.Select(e => e.Kind.ToString()).OrderBy(k => k), rows.Keys.OrderBy(k => k));
        foreach (var entry in LossCatalog.Entries)
            Assert.Equal(entry.Options.OrderBy(o => o), Options(rows[entry.Kind.ToString()]).OrderBy(o => o));
    }

    [Theory]
    [InlineData("ReverseKl")]
    [InlineData("JensenShannon")]
    public void A_kind_added_through_the_catalog_generates_its_call_and_its_checks(string kind)
    {
        string source = $$"""
            using KdDsl;
            using Sample;

            namespace Sample.Experiments
            {
                [Distillation]
                [Teacher(typeof(BigNet))]
                [Student(typeof(SmallNet))]
                [Loss(LossKind.CrossEntropy, Weight = 0.5)]
                [Loss(LossKind.{{kind}}, Weight = 0.5, Temperature = 2)]
                public partial class Divergence { }
            }
            """;
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains($"terms[1] = global::KdDsl.Losses.DistillationLosses.{kind}(studentLogits, teacherLogits, 2d);", code);
        Assert.Contains("TeacherSource.Live(teacher)", code); // it reads the teacher's logits

        // Options of other kinds are refused (KD0010), the divergence options accepted, a missing teacher reported (KD0002).
        (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source.Replace("Temperature = 2", "Temperature = 2, Epsilon = 0.2"));
        Assert.Equal("KD0010", Assert.Single(result.Diagnostics).Id);
        (result, output) = GeneratorHarness.Run(GeneratorHarness.Models,
            source.Replace("Temperature = 2", "Temperature = 2, StudentTemperature = 1, Reduction = KdDsl.Losses.KlReduction.ElementwiseMean"));
        Assert.Empty(result.Diagnostics);
        Assert.Contains($"{kind}(studentLogits, teacherLogits, 2d, 1d, global::KdDsl.Losses.KlReduction.ElementwiseMean, true)",
            GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString()));
        (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source.Replace("[Teacher(typeof(BigNet))]", ""));
        Assert.Equal("KD0002", Assert.Single(result.Diagnostics).Id);
    }

    /// <summary>The rows of the first Markdown table whose header starts with <paramref name="firstHeader"/>: kind -> the other cells.</summary>
    private static Dictionary<string, string> TableRows(string markdown, string firstHeader)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int header = lines.FindIndex(l => l.StartsWith("| " + firstHeader + " |", StringComparison.Ordinal));
        Assert.True(header >= 0, $"no table headed '{firstHeader}'");
        var rows = new Dictionary<string, string>();
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith("|", StringComparison.Ordinal)))
        {
            var cells = line.Trim('|').Split('|');
            rows.Add(cells[0].Trim().Trim('`'), string.Join("|", cells.Skip(1)));
        }
        return rows;
    }

    /// <summary>The backticked [Loss] option names a table cell mentions.</summary>
    private static IEnumerable<string> Options(string cells) =>
        Regex.Matches(cells, "`([A-Za-z]+)`").Cast<Match>().Select(m => m.Groups[1].Value).Where(LossCatalog.Options.Contains).Distinct();

    private static string Root([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", ".."));
}
