using System;
using KdDsl.Training;

namespace KdDsl.Tests.Training;

/// <summary>Interrupts a run in-process: throws at the given distillation epoch and step, as a kill would stop it there.</summary>
internal sealed class CrashAt(int epoch, int step) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.Phase == TrainingPhase.Distillation && value.Epoch == epoch && value.Step == step)
            throw new OperationCanceledException("simulated kill");
    }
}
