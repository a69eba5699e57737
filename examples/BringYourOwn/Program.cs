using System;
using System.Globalization;
using System.IO;
using KdDsl.Examples.BringYourOwn;
using KdDsl.Reporting;

// Bring your own: a CSV data set, a teacher trained in PyTorch (.safetensors), distillation, and the student out to ONNX
// (standardisation inside the graph), safetensors and PyTorch. Serve/ then runs the ONNX file with ONNX Runtime alone.
//   dotnet run --project examples/BringYourOwn [-- --out <folder>] [--epochs n]
string output = Path.GetFullPath("bring-your-own-out");
int? epochs = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length) output = Path.GetFullPath(args[++i]);
    else if (args[i] == "--epochs" && i + 1 < args.Length) epochs = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else
    {
        Console.Error.WriteLine($"error: unknown argument '{args[i]}' (use --out <folder>, --epochs <n>)");
        return 2;
    }
}

string data = Path.Combine(AppContext.BaseDirectory, "data");
BringYourOwnOutcome? outcome = null;
ConsoleProgress.Show(progressFor => outcome = BringYourOwnPipeline.Run(data, output, epochs, progressFor("digit profiles:")));
var o = outcome!;
Console.WriteLine($"Teacher (trained in PyTorch, loaded from teacher.safetensors) test accuracy: {Percent(o.TeacherAccuracy)}");
Console.WriteLine($"Student alone test accuracy:                                         {Percent(o.StudentAloneAccuracy)}");
Console.WriteLine($"Distilled student (TorchSharp) test accuracy:                        {Percent(o.StudentAccuracy)} " +
                  $"({Math.Round(o.StudentAccuracy * o.TestCount)}/{o.TestCount})");
Console.WriteLine($"Student written to {o.OnnxPath} (raw features in, standardisation inside), {Path.GetFileName(o.SafetensorsPath)}, {Path.GetFileName(o.PyTorchPath)}");
Console.WriteLine($"Serve it: dotnet run --project examples/BringYourOwn/Serve -- {o.OnnxPath} {o.TestCsvPath}");
return 0;

static string Percent(double accuracy) => (100 * accuracy).ToString("F2", CultureInfo.InvariantCulture) + "%";
