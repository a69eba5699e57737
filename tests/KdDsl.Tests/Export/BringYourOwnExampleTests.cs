using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using KdDsl.Examples.BringYourOwn;
using KdDsl.Export;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Export;

/// <summary>
/// examples/BringYourOwn end to end at 2 epochs: the CSV files in, the teacher PyTorch trained loaded from its .safetensors
/// file (its accuracy is the one PyTorch measured), distillation, the student out; the Serve program (ONNX Runtime only)
/// then prints the same test accuracy from the ONNX file as TorchSharp's student has.
/// </summary>
public sealed class BringYourOwnExampleTests
{
    [Fact]
    public void The_served_ONNX_student_has_the_TorchSharp_students_accuracy()
    {
        string data = Path.Combine(AppContext.BaseDirectory, "data");
        string output = Directory.CreateTempSubdirectory("kddsl-byo-").FullName;
        try
        {
            var outcome = BringYourOwnPipeline.Run(data, output, epochs: 2);

            // The teacher is PyTorch's: KdDsl measures the accuracy PyTorch 1.13 measured (python/train_teacher.py).
            using var pytorch = JsonDocument.Parse(File.ReadAllText(Path.Combine(data, "teacher_pytorch.json")));
            int pytorchCorrect = pytorch.RootElement.GetProperty("test_correct").GetInt32();
            Assert.Equal(pytorch.RootElement.GetProperty("test_count").GetInt32(), outcome.TestCount);
            Assert.Equal(pytorchCorrect, (int)Math.Round(outcome.TeacherAccuracy * outcome.TestCount));

            // The ONNX file, run by a program that knows nothing of TorchSharp, gives the same accuracy on the raw CSV.
            string served = Serve(outcome.OnnxPath, outcome.TestCsvPath);
            var match = Regex.Match(served, @"student test accuracy: (\d+\.\d\d)% \((\d+)/(\d+)\)");
            Assert.True(match.Success, served);
            Assert.Equal(outcome.TestCount, int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
            Assert.Equal((int)Math.Round(outcome.StudentAccuracy * outcome.TestCount), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));

            // The safetensors and PyTorch files hold the same student.
            using var fromSafetensors = new ProfileStudent(20, 10);
            using var fromPyTorch = new ProfileStudent(20, 10);
            ModelExport.Load(fromSafetensors, outcome.SafetensorsPath);
            ModelExport.Load(fromPyTorch, outcome.PyTorchPath);
            Assert.True(fromSafetensors.parameters().Zip(fromPyTorch.parameters()).All(p => p.First.equal(p.Second).all().item<bool>()));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static string Serve(string onnx, string csv)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Serve.dll"));
        info.ArgumentList.Add(onnx);
        info.ArgumentList.Add(csv);
        using var child = Process.Start(info)!;
        var error = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        Assert.True(child.ExitCode == 0, $"Serve exited with {child.ExitCode}:\n{output}\n{error.Result}");
        return output;
    }
}
