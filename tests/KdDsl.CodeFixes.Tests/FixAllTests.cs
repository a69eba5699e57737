using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;
using static KdDsl.CodeFixes.Tests.Sources;

namespace KdDsl.CodeFixes.Tests;

/// <summary>"Fix all occurrences in document" (the batch fixer) merges the fixes of several diagnostics.</summary>
public sealed class FixAllTests
{
    /// <summary>The analyzer's diagnostics of a document, as an IDE hands them to a fix-all.</summary>
    private sealed class GeneratorDiagnostics : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = (await document.GetSyntaxTreeAsync(cancellationToken))!;
            return (await CodeFixHarness.RunGeneratorAsync(document.Project)).Diagnostics
                .Where(d => d.Location.GetLineSpan().Path == document.FilePath)
                .Select(d => Diagnostic.Create(d.Descriptor, Location.Create(tree, d.Location.SourceSpan)));
        }

        public override async Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
        {
            var all = new List<Diagnostic>();
            foreach (var document in project.Documents) all.AddRange(await GetDocumentDiagnosticsAsync(document, cancellationToken));
            return all;
        }

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            GetProjectDiagnosticsAsync(project, cancellationToken);
    }

    [Fact]
    public async Task Every_negative_weight_of_a_document_is_fixed_at_once()
    {
        string source = Experiment(Teacher, Student, "[Loss(LossKind.CrossEntropy, Weight = -0.1)]",
            "[Loss(LossKind.KlDivergence, Weight = -0.9, Temperature = 4)]", Class);
        var document = CodeFixHarness.CreateDocument(source);
        var provider = new NegativeWeightCodeFixProvider();
        var context = new FixAllContext(document, provider, FixAllScope.Document, "KD0007.Absolute", new[] { "KD0007" },
            new GeneratorDiagnostics(), CancellationToken.None);
        var action = await provider.GetFixAllProvider()!.GetFixAsync(context);
        Assert.NotNull(action);
        var fixedDocument = await CodeFixHarness.ApplyAsync(document, action!);
        Assert.Equal(Valid(Class, Class), (await fixedDocument.GetTextAsync()).ToString());
        var (diagnostics, _, generated) = await CodeFixHarness.RunGeneratorAsync(fixedDocument.Project);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(1, generated);
    }
}
