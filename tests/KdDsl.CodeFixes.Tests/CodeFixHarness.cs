using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace KdDsl.CodeFixes.Tests;

/// <summary>
/// Runs a code fix the way an IDE does, without the IDE: an <see cref="AdhocWorkspace"/> project compiled against the real
/// KdDsl and TorchSharp assemblies, <see cref="DistillationAnalyzer"/> run over it for its diagnostics, the fix's code action
/// applied, and the result run through the analyzer, the generator and the compiler again.
/// </summary>
internal static class CodeFixHarness
{
    /// <summary>Two valid models (the same as the generator tests'), in their own file of the test project.</summary>
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
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(KdDsl.DistillationAttribute).Assembly.Location)          // KdDsl.Abstractions: the attributes and their enums
            .Append(typeof(KdDsl.Losses.DistillationLosses).Assembly.Location)      // KdDsl: the runtime the generated code calls
            .Append(typeof(TorchSharp.torch).Assembly.Location)
            .Distinct();
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>A workspace document holding <paramref name="source"/>, in a project that also holds <see cref="Models"/> (unless told not to).</summary>
    public static Document CreateDocument(string source, bool withModels = true)
    {
        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId, VersionStamp.Create(), "Experiments", "Experiments", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: ParseOptions,
            metadataReferences: References.Value));
        if (withModels)
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId), "Models.cs", SourceText.From(Models), filePath: "/experiments/Models.cs");
        var documentId = DocumentId.CreateNewId(projectId);
        solution = solution.AddDocument(documentId, "Experiment.cs", SourceText.From(source), filePath: "/experiments/Experiment.cs");
        return solution.GetDocument(documentId)!;
    }

    /// <summary>
    /// The KD diagnostics of the project, from <see cref="DistillationAnalyzer"/> as an IDE gets them (the generator reports
    /// none), and the compilation with the generator's output added.
    /// </summary>
    public static async Task<(ImmutableArray<Diagnostic> Diagnostics, Compilation Output, int GeneratedFiles)> RunGeneratorAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var driver = CSharpGeneratorDriver.Create(new[] { new DistillationGenerator().AsSourceGenerator() }, parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null) throw new InvalidOperationException("The generator threw.", result.Exception);
        Assert.Empty(result.Diagnostics);
        var diagnostics = await compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new DistillationAnalyzer()), project.AnalyzerOptions)
            .GetAnalyzerDiagnosticsAsync();
        if (diagnostics.FirstOrDefault(d => d.Id == "AD0001") is { } crash) throw new InvalidOperationException("The analyzer threw: " + crash.GetMessage());
        return (diagnostics, output, result.GeneratedSources.Length);
    }

    /// <summary>The code actions <paramref name="provider"/> offers for the (first) analyzer diagnostic <paramref name="id"/> in the document.</summary>
    public static async Task<IReadOnlyList<CodeAction>> FixesAsync(Document document, CodeFixProvider provider, string id)
    {
        Assert.Contains(id, provider.FixableDiagnosticIds);
        var (diagnostics, _, _) = await RunGeneratorAsync(document.Project);
        var diagnostic = diagnostics.FirstOrDefault(d => d.Id == id);
        Assert.True(diagnostic is not null,
            $"Expected {id}; the analyzer reported: {string.Join("; ", diagnostics.Select(d => d.Id + " " + d.GetMessage()))}");
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic!, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions;
    }

    /// <summary>Applies a code action (with the simplification and formatting Roslyn runs after every action) and returns the changed document.</summary>
    public static async Task<Document> ApplyAsync(Document document, CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var change = Assert.Single(operations.OfType<ApplyChangesOperation>());
        return change.ChangedSolution.GetDocument(document.Id)!;
    }

    /// <summary>
    /// Fixes the first <paramref name="id"/> diagnostic of <paramref name="source"/> with the code action titled
    /// <paramref name="title"/> (the first one when null), checks that the diagnostic is gone and that the fixed experiment
    /// generates and compiles without a single error, and returns the fixed source.
    /// </summary>
    public static async Task<string> FixAsync(string source, CodeFixProvider provider, string id, string? title = null, bool withModels = true)
    {
        var document = CreateDocument(source, withModels);
        var actions = await FixesAsync(document, provider, id);
        Assert.NotEmpty(actions);
        var action = title is null ? actions[0] : actions.SingleOrDefault(a => a.Title == title);
        Assert.True(action is not null, $"No fix titled '{title}'; offered: {string.Join(" | ", actions.Select(a => a.Title))}");
        var fixedDocument = await ApplyAsync(document, action!);
        string fixedSource = (await fixedDocument.GetTextAsync()).ToString();

        var (diagnostics, output, generated) = await RunGeneratorAsync(fixedDocument.Project);
        Assert.DoesNotContain(diagnostics, d => d.Id == id);
        Assert.True(!diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error),
            "The fix left KD errors: " + string.Join("; ", diagnostics.Select(d => d.Id + " " + d.GetMessage())) + "\n" + fixedSource);
        Assert.Equal(1, generated);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The fixed experiment does not compile: " + string.Join("; ", errors) + "\n" + fixedSource);
        return fixedSource;
    }

    /// <summary>The titles of the fixes offered for <paramref name="id"/>.</summary>
    public static async Task<IReadOnlyList<string>> TitlesAsync(string source, CodeFixProvider provider, string id, bool withModels = true) =>
        (await FixesAsync(CreateDocument(source, withModels), provider, id)).Select(a => a.Title).ToList();
}
