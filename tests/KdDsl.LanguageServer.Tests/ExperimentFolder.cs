using System;
using System.IO;
using KdDsl.Package.Tests;

namespace KdDsl.LanguageServer.Tests;

/// <summary>
/// A temporary folder outside the repository holding experiment projects that reference the repository's KdDsl projects the
/// way this repository's own projects do: KdDsl as a project reference, the generator (which is also the analyzer) and the
/// code fixes as analyzers, and the repository's Directory.Build.targets imported for the KdDsl.Abstractions analyzer item.
/// Deleted on dispose.
/// </summary>
public sealed class ExperimentFolder : IDisposable
{
    public ExperimentFolder(string name)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kddsl-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The repository root: the folder above the test's output that holds KdDsl.sln.</summary>
    public static string Repository { get; } = FindRepository();

    /// <summary>The project file text of an experiment project (an executable) with the KdDsl references and <paramref name="extra"/> items.</summary>
    public static string ProjectText(string extra = "") => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <OutputType>Exe</OutputType>
            <Nullable>enable</Nullable>
            <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
          </PropertyGroup>
          <ItemGroup>
            <ProjectReference Include="{Repository}/src/KdDsl/KdDsl.csproj" />
            <ProjectReference Include="{Repository}/generators/KdDsl.Generators/KdDsl.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
            <ProjectReference Include="{Repository}/generators/KdDsl.CodeFixes/KdDsl.CodeFixes.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
            {extra}
          </ItemGroup>
          <Import Project="{Repository}/Directory.Build.targets" />
        </Project>
        """;

    /// <summary>Writes <paramref name="relativePath"/> (folders created) and returns its full path.</summary>
    public string Write(string relativePath, string text)
    {
        string full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    /// <summary>Runs the dotnet CLI in this folder (or <paramref name="subfolder"/>) and fails with its output unless it exits with 0.</summary>
    public CommandResult Dotnet(TimeSpan timeout, string? subfolder, params string[] arguments)
    {
        var result = DotnetCli.Run(subfolder is null ? Path : System.IO.Path.Combine(Path, subfolder), timeout, arguments);
        if (result.ExitCode != 0) throw new InvalidOperationException("A dotnet command failed:\n" + result);
        return result;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A server still closing a file: the temporary folder is left behind.
        }
    }

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "KdDsl.sln"))) return folder.FullName;
        throw new InvalidOperationException($"No KdDsl.sln above {AppContext.BaseDirectory}.");
    }
}
