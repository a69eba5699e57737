using System;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace KdDsl.CodeFixes.Tests;

/// <summary>What an IDE needs to find and use the providers: MEF export, C#, a fix-all provider, one provider per ID.</summary>
public sealed class ProviderTests
{
    private static readonly Type[] Providers = typeof(MakePartialCodeFixProvider).Assembly.GetTypes()
        .Where(t => typeof(CodeFixProvider).IsAssignableFrom(t) && !t.IsAbstract)
        .ToArray();

    [Fact]
    public void Every_provider_is_exported_for_csharp_and_supports_fix_all()
    {
        Assert.NotEmpty(Providers);
        foreach (var type in Providers)
        {
            var export = type.GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), false).Cast<ExportCodeFixProviderAttribute>().Single();
            Assert.Equal(new[] { LanguageNames.CSharp }, export.Languages);
            Assert.NotEmpty(type.GetCustomAttributes(typeof(SharedAttribute), false));
            var provider = (CodeFixProvider)Activator.CreateInstance(type)!;
            Assert.NotNull(provider.GetFixAllProvider());
            Assert.All(provider.FixableDiagnosticIds, id => Assert.Matches("^KD[0-9]{4}$", id));
        }
    }

    [Fact]
    public void Each_diagnostic_has_one_provider()
    {
        var ids = Providers.SelectMany(t => ((CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(
            new[] { "KD0001", "KD0002", "KD0003", "KD0006", "KD0007", "KD0009", "KD0010", "KD0011", "KD0014", "KD0015", "KD0021", "KD0022", "KD0030",
                "KD0047", "KD0048", "KD0049", "KD0050", "KD0053", "KD0057", "KD0062", "KD0063", "KD0066" },
            ids.OrderBy(id => id, StringComparer.Ordinal));
    }
}
