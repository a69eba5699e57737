using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// Serves the distilled student from its ONNX file with ONNX Runtime alone and prints its accuracy on a CSV file of raw
// features (the standardisation is inside the graph): header line, numeric features, the label name in the last column.
// Classes are the label names in sorted order, as KdDsl numbered them for training.
//   dotnet run --project examples/BringYourOwn/Serve -- <student.onnx> <test.csv>
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Serve <student.onnx> <test.csv>");
    return 2;
}

var lines = File.ReadAllLines(args[1]).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
int featureCount = lines[0].Length - 1;
var classes = lines.Select(r => r[^1]).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
var features = new float[lines.Length * featureCount];
for (int i = 0; i < lines.Length; i++)
    for (int j = 0; j < featureCount; j++)
        features[i * featureCount + j] = float.Parse(lines[i][j], CultureInfo.InvariantCulture);

using var session = new InferenceSession(args[0]);
string inputName = session.InputMetadata.Keys.Single();
var input = new DenseTensor<float>(features, new[] { lines.Length, featureCount });
using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(inputName, input) });
var logits = results.Single().AsTensor<float>();

int correct = 0;
for (int i = 0; i < lines.Length; i++)
{
    int best = 0;
    for (int k = 1; k < classes.Count; k++)
        if (logits[i, k] > logits[i, best]) best = k;
    if (classes[best] == lines[i][^1]) correct++;
}
double accuracy = (double)correct / lines.Length;
Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()} student test accuracy: " +
                  $"{(100 * accuracy).ToString("F2", CultureInfo.InvariantCulture)}% ({correct}/{lines.Length})");
return 0;
