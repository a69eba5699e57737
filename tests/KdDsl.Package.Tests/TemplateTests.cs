using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace KdDsl.Package.Tests;

/// <summary>The <c>dotnet new kddsl-experiment</c> template, installed into a private template hive.</summary>
[Collection(PackageCollection.Name)]
public sealed class TemplateTests
{
    private readonly PackageFixture package;

    public TemplateTests(PackageFixture package) => this.package = package;

    private string TemplateFolder => Path.Combine(package.RepositoryRoot, "templates", "KdDsl.Templates", "content", "KdDslExperiment");

    [Fact]
    public void Template_creates_a_project_that_builds_against_the_package_and_runs()
    {
        package.AssertPacked();
        string hive = Path.Combine(package.Root, "template-hive");
        var install = package.Dotnet("template: dotnet new install", package.Root, TimeSpan.FromMinutes(2),
            "new", "install", TemplateFolder, "--debug:custom-hive", hive);
        Assert.True(install.ExitCode == 0, "dotnet new install failed:\n" + install);
        Assert.Contains("kddsl-experiment", install.Output, StringComparison.Ordinal);

        string project = Path.Combine(package.Root, "FromTemplate");
        var create = package.Dotnet("template: dotnet new kddsl-experiment", package.Root, TimeSpan.FromMinutes(2),
            "new", "kddsl-experiment", "-n", "DigitsDistillation", "-o", project, "--kddsl-version", package.Version,
            "--kddsl-source", package.Feed, "--debug:custom-hive", hive);
        Assert.True(create.ExitCode == 0, "dotnet new kddsl-experiment failed:\n" + create);
        string csproj = File.ReadAllText(Path.Combine(project, "DigitsDistillation.csproj"));
        Assert.Contains($"""<PackageReference Include="KdDsl" Version="{package.Version}" />""", csproj, StringComparison.Ordinal);
        Assert.Contains("namespace DigitsDistillation;", File.ReadAllText(Path.Combine(project, "Experiment.cs")), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(project, ".template.config")));
        // The project's own nuget.config names the feed the package was packed into, so its first restore finds KdDsl (no NU1101).
        Assert.Contains($"""<add key="kddsl-local" value="{package.Feed}" />""", File.ReadAllText(Path.Combine(project, "nuget.config")), StringComparison.Ordinal);

        var build = package.Dotnet("template: dotnet build", project, TimeSpan.FromMinutes(5), "build", "-nr:false");
        Assert.True(build.ExitCode == 0, "The project made from the template did not build:\n" + build);

        var run = package.Dotnet("template: run (1 epoch)", project, TimeSpan.FromMinutes(3),
            Path.Combine("bin", "Debug", "net10.0", "DigitsDistillation.dll"), "--epochs", "1");
        Assert.True(run.ExitCode == 0, "The project made from the template did not run:\n" + run);
        Assert.Matches(new Regex(@"Distilled student \(SmallMlp\) test accuracy: +\d+\.\d\d ?%"), run.Output);
        Assert.Contains("Epochs: 1,", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_references_the_version_the_repository_packs_by_default()
    {
        using var template = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(TemplateFolder, ".template.config", "template.json")));
        string templateDefault = template.RootElement.GetProperty("symbols").GetProperty("KdDslVersion").GetProperty("defaultValue").GetString()!;
        var csproj = System.Xml.Linq.XDocument.Load(Path.Combine(package.RepositoryRoot, "src", "KdDsl", "KdDsl.csproj"));
        string versionPrefix = csproj.Descendants("VersionPrefix").Single().Value;
        Assert.Equal(versionPrefix, templateDefault);
        // Without --kddsl-source the project's nuget.config reads the package from ~/kddsl-packages (NuGet expands %HOME%).
        Assert.Equal("%HOME%/kddsl-packages", template.RootElement.GetProperty("symbols").GetProperty("KdDslSource").GetProperty("defaultValue").GetString());
        Assert.Contains("value=\"KDDSL_PACKAGE_SOURCE\"", File.ReadAllText(Path.Combine(TemplateFolder, "nuget.config")), StringComparison.Ordinal);
    }

    [Fact]
    public void Template_package_holds_the_template()
    {
        package.AssertPacked();
        string output = Path.Combine(package.Root, "template-feed");
        var pack = package.Dotnet("template: dotnet pack templates/KdDsl.Templates", package.RepositoryRoot, TimeSpan.FromMinutes(3),
            "pack", Path.Combine(package.RepositoryRoot, "templates", "KdDsl.Templates", "KdDsl.Templates.csproj"), "-o", output,
            "-p:Version=" + package.Version, "--artifacts-path", Path.Combine(package.Root, "template-artifacts"), "-nr:false");
        Assert.True(pack.ExitCode == 0, "Packing the templates failed:\n" + pack);

        using var zip = ZipFile.OpenRead(Path.Combine(output, $"KdDsl.Templates.{package.Version}.nupkg"));
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        var expected = Directory.EnumerateFiles(TemplateFolder, "*", SearchOption.AllDirectories)
            .Select(f => "content/KdDslExperiment/" + Path.GetRelativePath(TemplateFolder, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal));
        foreach (var file in expected) Assert.Contains(file, entries);
        Assert.Contains("content/KdDslExperiment/.template.config/template.json", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
    }
}
