using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace KdDsl.Package.Tests;

/// <summary>
/// The KdDsl package as a user gets it: its layout, then a fresh console project outside the repository that references
/// it from a local feed, builds (running the generator from the package), reports KD diagnostics, and trains.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackageTests
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private readonly PackageFixture package;

    public PackageTests(PackageFixture package) => this.package = package;

    [Fact]
    public void Package_holds_runtime_docs_generator_code_fixes_and_build_targets()
    {
        package.AssertPacked();
        using var zip = ZipFile.OpenRead(package.PackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();

        Assert.Contains("lib/net10.0/KdDsl.dll", entries);
        Assert.Contains("lib/net10.0/KdDsl.xml", entries);
        Assert.Contains("lib/net10.0/KdDsl.Abstractions.dll", entries);
        Assert.Contains("lib/net10.0/KdDsl.Abstractions.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/KdDsl.Generators.dll", entries);
        // The generator's and code fixes' run-time dependency: the compiler loads it only from beside them.
        Assert.Contains("analyzers/dotnet/cs/KdDsl.Abstractions.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/KdDsl.CodeFixes.dll", entries);
        // One generator DLL, holding both the generator (which emits) and the analyzer (which reports the KD diagnostics).
        Assert.Equal(new[] { "analyzers/dotnet/cs/KdDsl.Abstractions.dll", "analyzers/dotnet/cs/KdDsl.CodeFixes.dll", "analyzers/dotnet/cs/KdDsl.Generators.dll" },
            entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Superset(new[] { "KdDsl.Generators.DistillationGenerator", "KdDsl.Generators.DistillationAnalyzer" }.ToHashSet(),
            TypeNames(zip.GetEntry("analyzers/dotnet/cs/KdDsl.Generators.dll")!).ToHashSet());
        Assert.Contains("build/KdDsl.targets", entries);
        Assert.Contains("buildTransitive/KdDsl.targets", entries);
        // Only KdDsl and its attributes are lib assemblies; no Roslyn assembly travels with the analyzers.
        Assert.Equal(new[] { "lib/net10.0/KdDsl.Abstractions.dll", "lib/net10.0/KdDsl.dll" },
            entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.Ordinal));

        // The targets are the repository's Debian 12 fix, unchanged.
        string expected = File.ReadAllText(Path.Combine(package.RepositoryRoot, "build", "LibTorchSharpCompat.targets"));
        foreach (var name in new[] { "build/KdDsl.targets", "buildTransitive/KdDsl.targets" })
        {
            using var reader = new StreamReader(zip.GetEntry(name)!.Open());
            Assert.Equal(expected, reader.ReadToEnd());
        }

        // The XML docs are real documentation of the public API: the attributes in KdDsl.Abstractions, the runtime in KdDsl.
        using (var docs = zip.GetEntry("lib/net10.0/KdDsl.Abstractions.xml")!.Open())
            Assert.Contains(XDocument.Load(docs).Descendants("member"), m => (string?)m.Attribute("name") == "T:KdDsl.DistillationAttribute");
        using (var docs = zip.GetEntry("lib/net10.0/KdDsl.xml")!.Open())
            Assert.Contains(XDocument.Load(docs).Descendants("member"), m => (string?)m.Attribute("name") == "T:KdDsl.Losses.DistillationLosses");

        // Dependencies: TorchSharp-cpu, never the generator's Roslyn packages or the generator/code-fix/abstractions projects.
        var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var nuspecStream = nuspecEntry.Open();
        var nuspec = XDocument.Load(nuspecStream);
        var ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("KdDsl", metadata.Element(ns + "id")!.Value);
        Assert.Equal(package.Version, metadata.Element(ns + "version")!.Value);
        var dependencies = metadata.Descendants(ns + "dependency").Select(d => (string)d.Attribute("id")!).ToList();
        Assert.Contains("TorchSharp-cpu", dependencies);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || d.StartsWith("KdDsl", StringComparison.Ordinal));
    }

    [Fact]
    public void Fresh_console_project_builds_with_the_generator_from_the_package_and_trains_one_step()
    {
        package.AssertPacked();
        string project = Consumer.Create(Path.Combine(package.Root, "Consumer"), "Consumer", package.Version, "4");

        var build = package.Dotnet("consumer: dotnet build", project, BuildTimeout, "build", "-nr:false");
        Assert.True(build.ExitCode == 0, "The consumer did not build:\n" + build);
        // Neither the generator nor the code-fix assembly may trouble the compiler (CS8032: cannot load, CS8784/CS8785:
        // generator failed to load or to run, e.g. without KdDsl.Abstractions beside it, CS9057: built for a newer compiler,
        // AD0001: analyzer crash).
        Assert.DoesNotMatch(new Regex("CS8032|CS8784|CS8785|CS9057|AD0001|KD00[0-9][0-9]"), build.Output);

        // The generator ran from analyzers/dotnet/cs: its output is on disk thanks to EmitCompilerGeneratedFiles.
        var generated = Directory.EnumerateFiles(Path.Combine(project, "obj"), "*.g.cs", SearchOption.AllDirectories)
            .Where(f => f.Contains(Path.DirectorySeparatorChar + "KdDsl.Generators" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToList();
        var experiment = Assert.Single(generated);
        Assert.EndsWith("Tiny.TinyKd.g.cs", experiment, StringComparison.Ordinal);
        Assert.Contains("partial class TinyKd", File.ReadAllText(experiment), StringComparison.Ordinal);

        // NuGet imports the Debian 12 fix from the package into the consumer's build.
        string nugetTargets = File.ReadAllText(Path.Combine(project, "obj", "Consumer.csproj.nuget.g.targets"));
        Assert.Contains("KdDsl.targets", nugetTargets, StringComparison.Ordinal);

        var run = package.Dotnet("consumer: run one training step", project, TimeSpan.FromMinutes(3),
            Path.Combine("bin", "Debug", "net10.0", "Consumer.dll"));
        Assert.True(run.ExitCode == 0, "The consumer did not run:\n" + run);
        var match = Regex.Match(run.Output, @"KDDSL-RESULT epochs=(\d+) finite=(\w+) loss=(\S+) teacher=(\S+) student=(\S+)");
        Assert.True(match.Success, "No result line:\n" + run);
        Assert.Equal("1", match.Groups[1].Value);
        Assert.Equal("True", match.Groups[2].Value);
        double loss = double.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(loss > 0, $"loss {loss}");
        foreach (int group in new[] { 4, 5 })
            Assert.InRange(double.Parse(match.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture), 0.0, 1.0);
    }

    [Fact]
    public void Invalid_experiment_fails_the_build_with_its_KD_diagnostic()
    {
        package.AssertPacked();
        string project = Consumer.Create(Path.Combine(package.Root, "Broken"), "Broken", package.Version, "0");

        var build = package.Dotnet("broken consumer: dotnet build", project, BuildTimeout, "build", "-nr:false");
        Assert.True(build.ExitCode != 0, "A temperature of 0 must fail the build:\n" + build);
        Assert.Matches(new Regex(@"Program\.cs\(\d+,\d+\): error KD0009: "), build.Output);
    }

    /// <summary>The full names of the types an assembly in the package defines.</summary>
    private static string[] TypeNames(ZipArchiveEntry assembly)
    {
        var bytes = new MemoryStream();
        using (var stream = assembly.Open()) stream.CopyTo(bytes);
        bytes.Position = 0;
        using var pe = new System.Reflection.PortableExecutable.PEReader(bytes);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return metadata.TypeDefinitions.Select(metadata.GetTypeDefinition)
            .Select(t => metadata.GetString(t.Namespace) + "." + metadata.GetString(t.Name)).ToArray();
    }
}
