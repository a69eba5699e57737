using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace KdDsl.Package.Tests;

/// <summary>The outcome of one command: exit code, stdout and stderr interleaved, and how long it took.</summary>
public sealed record CommandResult(string Command, int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"$ {Command}\n(exit {ExitCode}, {Elapsed.TotalSeconds:F1} s)\n{Output}";
}

/// <summary>Runs the dotnet CLI in a child process, isolated from the test host's own MSBuild environment.</summary>
internal static class DotnetCli
{
    /// <summary>The dotnet that runs these tests (the SDK's host sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string Executable =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static CommandResult Run(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        RunProcess(Executable, workingDirectory, timeout, arguments);

    public static CommandResult RunProcess(string fileName, string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        // `dotnet test` runs us with its MSBuild's variables set (MSBuildSDKsPath, MSBuildExtensionsPath, MSBUILD_EXE_PATH,
        // ...): a child build must resolve its SDK on its own, as a user's would.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // No MSBuild worker nodes or build server left behind holding our output pipes.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";

        var output = new StringBuilder();
        var outputDone = new TaskCompletionSource();
        var errorDone = new TaskCompletionSource();
        void Append(string? line)
        {
            lock (output) output.AppendLine(line);
        }

        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is null) outputDone.TrySetResult(); else Append(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is null) errorDone.TrySetResult(); else Append(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        string command = fileName + " " + string.Join(" ", arguments.Select(a => a.Contains(' ') ? "\"" + a + "\"" : a));
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(10_000);
            lock (output)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0} s: {command}\n{output}");
        }
        // A server process started by the build may inherit the pipes and keep them open: wait for the end of the output
        // only briefly.
        Task.WaitAll(new[] { outputDone.Task, errorDone.Task }, TimeSpan.FromSeconds(10));
        watch.Stop();
        lock (output) return new CommandResult(command, process.ExitCode, output.ToString(), watch.Elapsed);
    }
}
