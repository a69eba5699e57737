using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.MSBuild;
using Xunit;
using Xunit.Abstractions;

namespace KdDsl.LanguageServer.Tests;

/// <summary>
/// The generator in Roslyn's MSBuildWorkspace (what language servers and analysis tools load solutions with): a solution where
/// an experiment matches the layers of models from a referenced project. In a workspace that reference is a compilation
/// reference (the models' syntax belongs to the other project), in <c>dotnet build</c> a built assembly; the generator must not
/// throw in the first and must generate exactly what the second writes (EmitCompilerGeneratedFiles).
/// </summary>
public sealed class MsBuildWorkspaceTests(ITestOutputHelper output)
{
    // Layer counts and widths only in the constructors' arguments (no [LayerStack]): the generator reads them from the models'
    // syntax where it has it, which is where a workspace used to make it throw ("SyntaxTree is not part of the compilation").
    private const string Models = """
        using KdDsl.Models;

        namespace Sample.Models;

        public sealed class DeepByConstructor : LayeredMlp
        {
            public DeepByConstructor(int inputFeatures, int classCount) : base(inputFeatures, classCount, 12, 64) { }
        }

        public sealed class ShallowByConstructor : LayeredMlp
        {
            private const int Blocks = 3;

            public ShallowByConstructor(int inputFeatures, int classCount) : base(inputFeatures, classCount, width: 32, layers: Blocks) { }
        }
        """;

    private const string Experiment = """
        using KdDsl;
        using Sample.Models;

        namespace Sample.Experiments;

        [Distillation]
        [Teacher(typeof(DeepByConstructor))]
        [Student(typeof(ShallowByConstructor))]
        [Loss(LossKind.CrossEntropy)]
        [Loss(LossKind.KlDivergence, Temperature = 4)]
        [MatchLayers(LayerSelection.Forward)]
        public partial class MatchedKd { }

        public static class Program
        {
            public static void Main() => System.Console.WriteLine(string.Join(", ", MatchedKd.LossTermNames));
        }
        """;

    [Fact]
    public async Task Generator_in_MSBuildWorkspace_matches_layers_of_a_referenced_project_and_generates_what_dotnet_build_does()
    {
        var clock = Stopwatch.StartNew();
        using var folder = new ExperimentFolder("workspace");
        folder.Write("Models/Models.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{ExperimentFolder.Repository}/src/KdDsl/KdDsl.csproj" />
              </ItemGroup>
            </Project>
            """);
        folder.Write("Models/Models.cs", Models);
        folder.Write("App/App.csproj", ExperimentFolder.ProjectText("<ProjectReference Include=\"../Models/Models.csproj\" />"));
        folder.Write("App/Experiment.cs", Experiment);
        folder.Dotnet(TimeSpan.FromMinutes(1), null, "new", "sln", "--name", "Matched", "--format", "sln");
        folder.Dotnet(TimeSpan.FromMinutes(1), null, "sln", "Matched.sln", "add", "Models/Models.csproj", "App/App.csproj");
        var build = folder.Dotnet(TimeSpan.FromMinutes(6), null, "build", "Matched.sln", "-nologo", "-v", "q");
        output.WriteLine($"[{build.Elapsed.TotalSeconds,6:F1} s] dotnet build (EmitCompilerGeneratedFiles)");
        string generatedFolder = Path.Combine(folder.Path, "App", "obj", "Debug", "net10.0", "generated", "KdDsl.Generators",
            "KdDsl.Generators.DistillationGenerator");
        var built = Directory.GetFiles(generatedFolder).ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
        Assert.NotEmpty(built);

        var opened = Stopwatch.StartNew();
        // dotnet test runs this process with its own MSBuild's variables (MSBuildSDKsPath, MSBUILD_EXE_PATH, ...); the workspace's
        // build host must find the SDK as a language server's does.
        foreach (string key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)))
            Environment.SetEnvironmentVariable(key, null);
        using var workspace = MSBuildWorkspace.Create();
        var solution = await workspace.OpenSolutionAsync(Path.Combine(folder.Path, "Matched.sln"));
        Assert.Empty(workspace.Diagnostics.Where(d => d.Kind == WorkspaceDiagnosticKind.Failure).Select(d => d.Message));
        var app = solution.Projects.Single(p => p.Name == "App");
        // A project reference, not an assembly: the models' syntax lives in the Models project's compilation.
        Assert.Contains(solution.Projects.Single(p => p.Name == "Models").Id, app.ProjectReferences.Select(r => r.ProjectId));

        var compilation = (await app.GetCompilationAsync())!;
        var diagnostics = compilation.GetDiagnostics();
        // CS8784/CS8785: the generator failed to load or threw; KD*: the experiment was refused.
        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.Id.StartsWith("KD", StringComparison.Ordinal))
            .Select(d => d.ToString()));
        // The analyzer (which reports the KD diagnostics) on the same compilation: nothing reported, and it does not throw (AD0001).
        var analyzers = app.AnalyzerReferences.SelectMany(r => r.GetAnalyzers(LanguageNames.CSharp)).ToImmutableArray();
        Assert.Contains(analyzers, a => a.GetType().FullName == "KdDsl.Generators.DistillationAnalyzer");
        var analyzed = await compilation.WithAnalyzers(analyzers, app.AnalyzerOptions).GetAnalyzerDiagnosticsAsync();
        Assert.Empty(analyzed.Where(d => d.Severity >= DiagnosticSeverity.Warning && (d.Id.StartsWith("KD", StringComparison.Ordinal) || d.Id == "AD0001"))
            .Select(d => d.ToString()));
        var generated = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var document in await app.GetSourceGeneratedDocumentsAsync())
            generated[document.HintName] = (await document.GetTextAsync()).ToString();
        output.WriteLine($"[{opened.Elapsed.TotalSeconds,6:F1} s] MSBuildWorkspace: solution opened, App compiled, {generated.Count} generated file(s): " +
                         string.Join(", ", generated.Keys.Order(StringComparer.Ordinal)));

        Assert.Equal(built.Keys.Order(StringComparer.Ordinal), generated.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, text) in built) Assert.Equal(text, generated[name]);
        Assert.Contains("MatchedKd", string.Concat(generated.Values));
        output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1} s] whole test");
    }
}
