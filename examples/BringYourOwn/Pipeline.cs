using System;
using System.IO;
using KdDsl.Data;
using KdDsl.Training;

namespace KdDsl.Examples.BringYourOwn;

/// <summary>What one run of the example produced.</summary>
public sealed record BringYourOwnOutcome(
    double TeacherAccuracy, double StudentAloneAccuracy, double StudentAccuracy, int TestCount,
    string OnnxPath, string SafetensorsPath, string PyTorchPath, string TestCsvPath);

/// <summary>
/// The example's whole path: the user's CSV files in, standardisation fitted on the training split, a teacher PyTorch
/// trained, distillation, and the student out as ONNX (standardisation in the graph), safetensors and a PyTorch state_dict.
/// </summary>
public static class BringYourOwnPipeline
{
    /// <summary>Runs from <paramref name="dataFolder"/> (train.csv, test.csv, teacher.safetensors) into <paramref name="outputFolder"/>.</summary>
    public static BringYourOwnOutcome Run(string dataFolder, string outputFolder, int? epochs = null, IProgress<TrainingProgress>? progress = null)
    {
        var options = new CsvOptions { LabelColumn = "label" };
        using var train = CsvData.Load(Path.Combine(dataFolder, "train.csv"), options);
        using var test = CsvData.Load(Path.Combine(dataFolder, "test.csv"), options);
        if (!train.ClassNames.SequenceEqualTo(test.ClassNames))
            throw new InvalidDataException("train.csv and test.csv name different classes.");

        // Statistics of the training split only, applied to both splits; the ONNX file carries them.
        var standardizer = Standardizer.Fit(train.Data);
        using var splits = new DatasetSplits(standardizer.Apply(train.Data), standardizer.Apply(test.Data));

        // The declared weights path ("data/teacher.safetensors") is relative to the working directory.
        string previous = Directory.GetCurrentDirectory();
        ProfileKd.Result result;
        try
        {
            Directory.SetCurrentDirectory(Path.GetDirectoryName(Path.GetFullPath(dataFolder))!);
            result = ProfileKd.Run(splits, new RunOptions { Epochs = epochs, Progress = progress });
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
        using (result)
        {
            Directory.CreateDirectory(outputFolder);
            string onnx = Path.Combine(outputFolder, "student.onnx");
            string safetensors = Path.Combine(outputFolder, "student.safetensors");
            string pytorch = Path.Combine(outputFolder, "student.pt");
            result.ExportStudentOnnx(onnx, train.Data.SampleShape, standardizer);
            result.SaveStudentSafetensors(safetensors);
            result.SaveStudentPyTorch(pytorch);
            standardizer.Save(Path.Combine(outputFolder, "standardizer.json"));
            return new BringYourOwnOutcome(result.TeacherAccuracy, result.StudentAloneAccuracy ?? double.NaN, result.StudentAccuracy,
                (int)test.Data.Count, Path.GetFullPath(onnx), Path.GetFullPath(safetensors), Path.GetFullPath(pytorch),
                Path.GetFullPath(Path.Combine(dataFolder, "test.csv")));
        }
    }

    private static bool SequenceEqualTo(this System.Collections.Generic.IReadOnlyList<string> a, System.Collections.Generic.IReadOnlyList<string> b) =>
        System.Linq.Enumerable.SequenceEqual(a, b);
}
