using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KdDsl.Package.Tests;

/// <summary>
/// Packs KdDsl once for all the tests of the collection: into a local feed in a fresh temporary folder outside the
/// repository, with a version no earlier run used (0.1.0-test.&lt;time&gt;.&lt;pid&gt;), so nothing stale from the NuGet cache
/// is reused while TorchSharp and libtorch (hundreds of MB) still come from it. The folder holds a nuget.config (the local
/// feed plus nuget.org) and empty Directory.Build.* files, so projects created under it see neither this repository's
/// build settings nor anything above the temporary folder.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    private readonly IMessageSink sink;

    public PackageFixture(IMessageSink sink)
    {
        this.sink = sink;
        RepositoryRoot = FindRepositoryRoot();
        Version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Environment.ProcessId;
        Root = Path.Combine(Path.GetTempPath(), "kddsl-package-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);

        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="kddsl-local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
        // The consumers see none of the repository's build files. Their bin folders link to the NuGet cache rather than
        // copying TorchSharp's 1.6 GB of native libraries each, as the repository's own projects do (Directory.Build.props).
        foreach (var name in new[] { "Directory.Build.targets", "Directory.Packages.props" })
            File.WriteAllText(Path.Combine(Root, name), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), """
            <Project>
              <PropertyGroup>
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
                <CreateSymbolicLinksForCopyLocalIfPossible>true</CreateSymbolicLinksForCopyLocalIfPossible>
              </PropertyGroup>
            </Project>
            """);

        // --artifacts-path keeps this Release pack's bin/obj (restore output included) out of the repository, where other
        // test projects may be building at the same time.
        Pack = DotnetCli.Run(RepositoryRoot, TimeSpan.FromMinutes(8),
            "pack", Path.Combine(RepositoryRoot, "src", "KdDsl", "KdDsl.csproj"), "-c", "Release", "-o", Feed,
            "-p:Version=" + Version, "--artifacts-path", Path.Combine(Root, "artifacts"), "-nr:false");
        Log($"dotnet pack src/KdDsl: {Pack.Elapsed.TotalSeconds:F1} s (exit {Pack.ExitCode})");
        PackagePath = Path.Combine(Feed, $"KdDsl.{Version}.nupkg");
    }

    public string RepositoryRoot { get; }

    /// <summary>The unique version of this run's package.</summary>
    public string Version { get; }

    /// <summary>The temporary folder everything is created in (outside the repository).</summary>
    public string Root { get; }

    public string Feed { get; }

    public CommandResult Pack { get; }

    public string PackagePath { get; }

    /// <summary>Fails the calling test with the pack's output unless the pack succeeded.</summary>
    public void AssertPacked()
    {
        Assert.True(Pack.ExitCode == 0, "dotnet pack failed:\n" + Pack);
        Assert.True(File.Exists(PackagePath), $"{PackagePath} was not created:\n{Pack}");
    }

    /// <summary>A line in the test run's output (xUnit diagnostic messages), e.g. a timing.</summary>
    public void Log(string message) => sink.OnMessage(new DiagnosticMessage(message));

    /// <summary>Runs dotnet, logs how long it took, and returns the result.</summary>
    public CommandResult Dotnet(string step, string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var result = DotnetCli.Run(workingDirectory, timeout, arguments);
        Log($"{step}: {result.Elapsed.TotalSeconds:F1} s (exit {result.ExitCode})");
        return result;
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }

        // The test package was extracted into the global packages folder by the consumers' restores: remove this version.
        var locals = DotnetCli.Run(Path.GetTempPath(), TimeSpan.FromMinutes(1), "nuget", "locals", "global-packages", "--list");
        string? folder = locals.Output.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("global-packages:", StringComparison.Ordinal))
            .Select(l => l["global-packages:".Length..].Trim()).FirstOrDefault();
        if (locals.ExitCode == 0 && !string.IsNullOrEmpty(folder))
        {
            string installed = Path.Combine(folder, "kddsl", Version.ToLowerInvariant());
            try
            {
                if (Directory.Exists(installed)) Directory.Delete(installed, recursive: true);
                string id = Path.GetDirectoryName(installed)!;
                if (Directory.Exists(id) && !Directory.EnumerateFileSystemEntries(id).Any()) Directory.Delete(id);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KdDsl.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("KdDsl.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "KdDsl package";
}
