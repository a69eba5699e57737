using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace KdDsl.LanguageServer.Tests;

/// <summary>
/// A minimal Language Server Protocol client: JSON-RPC 2.0 with <c>Content-Length</c> framing over a server's standard input and
/// output. Requests wait for their response with a timeout that names the method; requests from the server are answered
/// (<c>workspace/configuration</c> with <see cref="Configuration"/>, anything else with null); notifications are kept. Dispose
/// asks the server to shut down and kills it (and its children) if it does not exit at once.
/// </summary>
public sealed class LspClient : IDisposable
{
    private readonly Process process;
    private readonly Stream input;
    private readonly Thread reader;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> pending = new();
    private readonly List<JsonObject> notifications = new();
    private readonly StringBuilder log = new();
    private readonly object writeLock = new();
    private int nextId;
    private volatile string? failure;
    private bool disposed;

    private LspClient(Process process, JsonObject configuration)
    {
        this.process = process;
        Configuration = configuration;
        input = process.StandardInput.BaseStream;
        reader = new Thread(Read) { IsBackground = true, Name = "lsp-reader" };
        reader.Start();
    }

    /// <summary>The <c>csharp</c> section returned to <c>workspace/configuration</c>.</summary>
    public JsonObject Configuration { get; }

    /// <summary>The server's stderr and <c>window/logMessage</c> lines so far (for failure messages).</summary>
    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static LspClient Start(string fileName, IEnumerable<string> arguments, string workingDirectory, JsonObject configuration)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        // The test host's MSBuild variables would point the server's MSBuild at the wrong SDK files.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var client = new LspClient(process, configuration);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) client.AppendLog("stderr: " + e.Data); };
        process.BeginErrorReadLine();
        return client;
    }

    /// <summary>Sends a request and waits for its result (null when the server answers null); throws on an error response or a timeout.</summary>
    public async Task<JsonNode?> Request(string method, JsonNode? parameters, TimeSpan timeout)
    {
        int id = Interlocked.Increment(ref nextId);
        var response = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = response;
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        try
        {
            return await response.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The language server did not answer {method} within {timeout.TotalSeconds:F0} s.{Tail()}");
        }
        finally
        {
            pending.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a notification.</summary>
    public void Notify(string method, JsonNode? parameters) =>
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    /// <summary>The notifications received so far with <paramref name="method"/>.</summary>
    public IReadOnlyList<JsonObject> Notifications(string method)
    {
        lock (notifications) return notifications.Where(n => (string?)n["method"] == method).ToList();
    }

    /// <summary>The last lines of the server's log, for a failure message.</summary>
    public string Tail(int lines = 40)
    {
        var all = Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string exit = process.HasExited ? $" The server exited with {process.ExitCode}." : "";
        return $"{exit}{(failure is null ? "" : " " + failure)}\nLast server log lines:\n" + string.Join("\n", all.TakeLast(lines));
    }

    private void AppendLog(string line)
    {
        lock (log) log.AppendLine(line);
    }

    private void Send(JsonObject message)
    {
        if (failure is not null) throw new InvalidOperationException(failure + Tail());
        byte[] body = Encoding.UTF8.GetBytes(message.ToJsonString());
        byte[] header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        lock (writeLock)
        {
            input.Write(header);
            input.Write(body);
            input.Flush();
        }
    }

    private void Read()
    {
        var stream = process.StandardOutput.BaseStream;
        try
        {
            while (true)
            {
                int length = -1;
                while (true)
                {
                    string? line = ReadHeaderLine(stream);
                    if (line is null) throw new EndOfStreamException("The language server closed its output.");
                    if (line.Length == 0) break;
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                        length = int.Parse(line[(colon + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
                if (length < 0) throw new InvalidDataException("An LSP message without Content-Length.");
                byte[] body = new byte[length];
                stream.ReadExactly(body);
                Dispatch(JsonNode.Parse(body)!.AsObject());
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or ObjectDisposedException)
        {
            failure = "Reading from the language server failed: " + e.Message;
            foreach (var waiting in pending.Values) waiting.TrySetException(new InvalidOperationException(failure + Tail()));
        }
    }

    private static string? ReadHeaderLine(Stream stream)
    {
        var line = new StringBuilder();
        while (true)
        {
            int b = stream.ReadByte();
            if (b < 0) return null;
            if (b == '\n') return line.ToString().TrimEnd('\r');
            line.Append((char)b);
        }
    }

    private void Dispatch(JsonObject message)
    {
        bool hasId = message.TryGetPropertyValue("id", out var id) && id is not null;
        string? method = (string?)message["method"];
        if (method is null && hasId)
        {
            // A response to one of our requests.
            if (pending.TryGetValue(id!.GetValue<int>(), out var waiting))
            {
                if (message["error"] is { } error) waiting.TrySetException(new InvalidOperationException($"The language server answered with an error: {error.ToJsonString()}"));
                else waiting.TrySetResult(message["result"]?.DeepClone());
            }
            return;
        }
        if (method is null) return;
        if (hasId)
        {
            // A request from the server: configuration gets ours, anything else (registrations, progress tokens) null.
            JsonNode? result = null;
            if (method == "workspace/configuration")
                result = new JsonArray((message["params"]?["items"]?.AsArray() ?? new JsonArray()).Select(_ => (JsonNode?)Configuration.DeepClone()).ToArray());
            Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id!.DeepClone(), ["result"] = result });
            return;
        }
        if (method is "window/logMessage" or "window/showMessage")
        {
            AppendLog((string?)message["params"]?["message"] ?? "");
            return;
        }
        lock (notifications) notifications.Add(message);
    }

    /// <summary>Asks the server to shut down (briefly), then kills it and everything it started.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            if (!process.HasExited && failure is null)
            {
                Request("shutdown", null, TimeSpan.FromSeconds(5)).Wait(TimeSpan.FromSeconds(6));
                Notify("exit", null);
                process.WaitForExit(2_000);
            }
        }
        catch (Exception e) when (e is AggregateException or TimeoutException or InvalidOperationException or IOException)
        {
            // It is killed below either way.
        }
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }
}
