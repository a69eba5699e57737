using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>The pipeline's model is value-equal: an edit that does not touch an experiment leaves its output cached.</summary>
public sealed class IncrementalityTests
{
    private const string ExperimentSource = """
        using KdDsl;
        namespace Sample.Experiments
        {
            [Distillation]
            [Teacher(typeof(Sample.BigNet))]
            [Student(typeof(Sample.SmallNet))]
            [Loss(LossKind.KlDivergence, Temperature = 2)]
            public partial class Cached { }
        }
        """;

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(GeneratorHarness.Models, ExperimentSource);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        return (driver, compilation);
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static IncrementalStepRunReason[] OutputReasons(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    [Fact]
    public void Unrelated_file_added_leaves_outputs_cached()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other { class Unrelated { int x; } }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);

        Assert.All(Reasons(driver, DistillationGenerator.ParseStep), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.NotEmpty(OutputReasons(driver));
        Assert.All(OutputReasons(driver), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Edit_inside_the_experiment_file_that_keeps_its_meaning_leaves_outputs_cached()
    {
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.Last();
        // A comment after the class: the text changes, the experiment does not (and no location inside it moves).
        var newTree = tree.WithChangedText(tree.GetText().WithChanges(new Microsoft.CodeAnalysis.Text.TextChange(
            new Microsoft.CodeAnalysis.Text.TextSpan(tree.GetText().Length, 0), "\n// trailing comment\n")));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, newTree));

        Assert.All(Reasons(driver, DistillationGenerator.ParseStep), r => Assert.Equal(IncrementalStepRunReason.Unchanged, r));
        Assert.All(OutputReasons(driver), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Changing_a_declared_value_regenerates()
    {
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.Last();
        var newTree = CSharpSyntaxTree.ParseText(ExperimentSource.Replace("Temperature = 2", "Temperature = 3"), GeneratorHarness.ParseOptions, tree.FilePath);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, newTree));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, DistillationGenerator.ParseStep));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(driver));
        Assert.Contains("teacherLogits, 3d)", driver.GetRunResult().GeneratedTrees.Single().ToString());
    }
}
