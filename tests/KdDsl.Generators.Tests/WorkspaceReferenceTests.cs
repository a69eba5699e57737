using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// In an IDE workspace (a language server, Visual Studio) a project reference is a compilation reference: the models' syntax
/// belongs to the other project's compilation. Matching layers of such a model must neither throw (it did: "SyntaxTree is not
/// part of the compilation") nor generate anything else than a command-line build, where the reference is metadata.
/// </summary>
public sealed class WorkspaceReferenceTests
{
    [Fact]
    public void Matching_a_model_of_a_referenced_project_generates_what_a_command_line_build_does()
    {
        var models = GeneratorHarness.Compile(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels)
            .WithAssemblyName("ModelsProject");
        Assert.Empty(models.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        string experiment = MatchingDiagnosticTests.Experiment("[MatchLayers(LayerSelection.Forward)]");

        string Generate(MetadataReference modelsReference)
        {
            var compilation = CSharpCompilation.Create("ExperimentProject",
                new[] { CSharpSyntaxTree.ParseText(experiment, GeneratorHarness.ParseOptions, path: "Experiment.cs") },
                GeneratorHarness.Compile().References.Append(modelsReference),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
            var result = driver.GetRunResult().Results.Single();
            Assert.Null(result.Exception);
            var diagnostics = GeneratorHarness.AnalyzerDiagnostics(compilation);
            Assert.Null(GeneratorHarness.AnalyzerException(diagnostics));
            Assert.Empty(diagnostics);
            Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
            return Assert.Single(result.GeneratedSources).SourceText.ToString();
        }

        string ide = Generate(models.ToMetadataReference()); // a CompilationReference, as in a workspace
        using var image = new System.IO.MemoryStream();
        Assert.True(models.Emit(image).Success);
        string commandLine = Generate(MetadataReference.CreateFromImage(image.ToArray())); // a built assembly, as in dotnet build
        Assert.Equal(commandLine, ide);
    }
}
