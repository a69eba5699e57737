using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using KdDsl.TestHost;
using KdDsl.Training;

// Usage: dotnet KdDsl.TestHost.dll <checkpoint> <result.json> [step-delay-ms]
// Runs KillResumeKd with its distillation checkpoint at <checkpoint> (resuming from it when it exists) and, when the run ends,
// writes its figures to <result.json> (atomically): the epoch it resumed after, every epoch's losses and accuracy, the test
// accuracy, and the student's weights (little-endian float32 bytes, base64). step-delay-ms slows every distillation step down
// (a sleep in the progress callback, which changes no number) so that a test can kill the run between two checkpoints.
if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: KdDsl.TestHost <checkpoint> <result.json> [step-delay-ms]");
    return 2;
}
int delay = args.Length == 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
var progress = new Progress(delay);
using var result = KillResumeKd.Run(new RunOptions { Checkpoint = args[0], Progress = progress, Device = TorchSharp.torch.CPU });

var weights = result.Student.parameters().SelectMany(p => p.data<float>().ToArray()).SelectMany(BitConverter.GetBytes).ToArray();
var figures = new
{
    resumedAfterEpoch = result.DistillationResumedAfterEpoch,
    epochs = result.Epochs.Select(e => new[] { e.Total, e.CrossEntropy, e.KlDivergence, e.Accuracy }).ToArray(),
    studentAccuracy = result.StudentAccuracy,
    weights = Convert.ToBase64String(weights),
};
AtomicFile.Write(args[1], temporary => File.WriteAllText(temporary, JsonSerializer.Serialize(figures)));
Console.WriteLine($"done: resumed after epoch {result.DistillationResumedAfterEpoch}, {result.Epochs.Count} epochs");
return 0;

/// <summary>Sleeps after every distillation step; prints each finished epoch.</summary>
internal sealed class Progress(int delayMs) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.Phase != TrainingPhase.Distillation) return;
        if (delayMs > 0) Thread.Sleep(delayMs);
        if (value.EndsEpoch) Console.WriteLine($"epoch {value.Epoch} done");
    }
}
