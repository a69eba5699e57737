using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using KdDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>Compiles test sources against the real KdDsl and TorchSharp assemblies and runs the generator and the analyzer over them.</summary>
internal static class GeneratorHarness
{
    /// <summary>Two valid models shared by the test sources.</summary>
    public const string Models = """
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Sample
        {
            public sealed class BigNet : nn.Module<Tensor, Tensor>
            {
                private readonly TorchSharp.Modules.Linear head;
                public BigNet(int inputFeatures, int classCount) : base(nameof(BigNet)) { head = nn.Linear(inputFeatures, classCount); RegisterComponents(); }
                public override Tensor forward(Tensor input) => head.call(input);
            }

            public sealed class SmallNet : nn.Module<Tensor, Tensor>
            {
                private readonly TorchSharp.Modules.Linear head;
                public SmallNet() : base(nameof(SmallNet)) { head = nn.Linear(64, 10); RegisterComponents(); }
                public override Tensor forward(Tensor input) => head.call(input);
            }
        }
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        // The running test host's framework assemblies, plus KdDsl.Abstractions, KdDsl and TorchSharp: the same set a user's project compiles against.
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(KdDsl.DistillationAttribute).Assembly.Location)          // KdDsl.Abstractions: the attributes and their enums
            .Append(typeof(KdDsl.Losses.DistillationLosses).Assembly.Location)      // KdDsl: the runtime the generated code calls
            .Append(typeof(TorchSharp.torch).Assembly.Location)
            .Distinct();
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "Experiments",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
        References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) => CSharpGeneratorDriver.Create(
        new[] { new DistillationGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>
    /// What a run shows a user: <see cref="Diagnostics"/> are the KD diagnostics <see cref="DistillationAnalyzer"/> reports on the
    /// input compilation (the generator reports none), <see cref="GeneratedSources"/> the generator's files, and
    /// <see cref="Exception"/> the generator's exception or, as an <see cref="InvalidOperationException"/>, the analyzer's (AD0001).
    /// </summary>
    public sealed record GeneratorRun(ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<GeneratedSourceResult> GeneratedSources, Exception? Exception);

    /// <summary>Runs the generator and the analyzer; returns their result and the compilation with the generated files added.</summary>
    public static (GeneratorRun Result, Compilation Output) Run(params string[] sources)
    {
        var (result, output) = RunUnchecked(sources);
        if (result.Exception is not null) throw new InvalidOperationException("The generator or the analyzer threw.", result.Exception);
        return (result, output);
    }

    /// <summary>As <see cref="Run"/>, without throwing on an exception of the generator or the analyzer.</summary>
    public static (GeneratorRun Result, Compilation Output) RunUnchecked(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult().Results.Single();
        // Every KD diagnostic comes from the analyzer, so none is reported twice.
        Assert.Empty(result.Diagnostics);
        var diagnostics = AnalyzerDiagnostics(compilation);
        var exception = result.Exception ?? AnalyzerException(diagnostics);
        return (new GeneratorRun(diagnostics.Where(d => d.Id != "AD0001").ToImmutableArray(), result.GeneratedSources, exception), output);
    }

    /// <summary>
    /// The diagnostics <see cref="DistillationAnalyzer"/> reports on <paramref name="compilation"/> (as the compiler would: after
    /// #pragma and the severities <paramref name="options"/> configure), in the order it reports them; AD0001 if it threw.
    /// </summary>
    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation, AnalyzerOptions? options = null) =>
        compilation.WithAnalyzers(
                ImmutableArray.Create<DiagnosticAnalyzer>(new DistillationAnalyzer()),
                new CompilationWithAnalyzersOptions(options ?? new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                    onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    /// <summary>The analyzer's exception (reported as AD0001), or null.</summary>
    public static Exception? AnalyzerException(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.FirstOrDefault(d => d.Id == "AD0001") is { } crash ? new InvalidOperationException("The analyzer threw: " + crash.GetMessage()) : null;

    /// <summary>The generated text with every run of whitespace made one space: what a test looks for when a line may wrap.</summary>
    public static string Flat(string code) => System.Text.RegularExpressions.Regex.Replace(code, @"\s+", " ");

    /// <summary>All compiler diagnostics of the output at warning level or above.</summary>
    public static IReadOnlyList<Diagnostic> CompilerDiagnostics(Compilation output) =>
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>
    /// Runs the generator on <paramref name="sources"/> and asserts: no generator diagnostic, an output that compiles without
    /// warnings, and one generated file equal to <c>Baselines/{name}.verified.cs</c>. With KDDSL_ACCEPT_BASELINES=1 it first
    /// rewrites that file (after an intended emitter change; review the diff).
    /// </summary>
    public static void AssertMatchesBaseline(string name, params string[] sources)
    {
        var (result, output) = Run(sources);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(CompilerDiagnostics(output));

        string generated = Assert.Single(result.GeneratedSources).SourceText.ToString().ReplaceLineEndings("\n");
        string baselinePath = Path.Combine(SourceDirectory(), "Baselines", name + ".verified.cs");
        if (Environment.GetEnvironmentVariable("KDDSL_ACCEPT_BASELINES") == "1")
            File.WriteAllText(baselinePath, generated);
        Assert.True(File.Exists(baselinePath), $"Missing baseline {baselinePath}; run with KDDSL_ACCEPT_BASELINES=1 to create it.");
        Assert.Equal(File.ReadAllText(baselinePath).ReplaceLineEndings("\n"), generated);
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
