using System;
using TorchSharp;

namespace KdDsl.Training;

/// <summary>Run-time choices that do not change what the experiment is: overrides for a sweep over seeds, the device, progress reporting.</summary>
public sealed record RunOptions
{
    /// <summary>Replaces the declared seed (for repeating an experiment over several seeds).</summary>
    public int? Seed { get; init; }

    /// <summary>Replaces the declared number of epochs for the student (and the teacher, unless it declares its own).</summary>
    public int? Epochs { get; init; }

    /// <summary>Device to train on. Default: the first CUDA device when TorchSharp sees one, else the CPU.</summary>
    public torch.Device? Device { get; init; }

    /// <summary>The device a run uses: <see cref="Device"/>, or CUDA when available, else the CPU.</summary>
    public torch.Device ResolveDevice() => Device ?? (torch.cuda.is_available() ? torch.CUDA : torch.CPU);

    /// <summary>
    /// Replaces the declared <c>[Train(Checkpoint = ...)]</c> path of the distillation checkpoint (e.g. one file per seed).
    /// </summary>
    public string? Checkpoint { get; init; }

    /// <summary>
    /// Replaces the declared <c>[Teacher(Checkpoint = ...)]</c> path: the teacher is loaded from this file when it exists, else trained
    /// and then saved there atomically. Works for a <c>[SelfTeacher]</c> too. A sweep sets it to one file per experiment, data set,
    /// seed and teacher-affecting knob values, so each teacher is trained once and reused by every trial that shares it.
    /// </summary>
    public string? TeacherCheckpoint { get; init; }

    /// <summary>Receives one report per training step and per finished epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Applies the overrides to the declared settings.</summary>
    public TrainingSettings Apply(TrainingSettings declared) => declared with
    {
        Seed = Seed ?? declared.Seed,
        Epochs = Epochs ?? declared.Epochs,
    };
}
