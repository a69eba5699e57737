using System;
using System.Collections.Generic;
using KdDsl.Data;
using KdDsl.Training;

namespace KdDsl.Sweeps;

/// <summary>One sweep axis: the knob's name and its values as invariant strings (doubles round-trip, enums by name).</summary>
public sealed record SweepAxis(string Name, IReadOnlyList<string> Values);

/// <summary>What one trial produced: the numbers the store keeps and the report compares.</summary>
/// <param name="StudentAccuracy">The distilled student's test accuracy.</param>
/// <param name="TeacherAccuracy">The teacher's test accuracy (null without a teacher).</param>
/// <param name="StudentAloneAccuracy">The student trained alone (null unless <c>StudentBaseline = true</c>).</param>
/// <param name="FinalLoss">The weighted distillation loss of the last epoch.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record SweepTrialResult(double StudentAccuracy, double? TeacherAccuracy, double? StudentAloneAccuracy, double FinalLoss, TimeSpan Elapsed)
{
    /// <summary>Whether the trial loaded its teacher from <see cref="RunOptions.TeacherCheckpoint"/> instead of training it.</summary>
    public bool TeacherLoaded { get; init; }
}

/// <summary>
/// A swept experiment as the non-generic sweep machinery sees it (store, command line, report). The generator implements it for
/// every <c>[Distillation]</c> class with <c>[Sweep]</c> axes, as the static property <c>Sweep</c>.
/// </summary>
public interface ISweepExperiment
{
    /// <summary>The experiment class's name.</summary>
    string Name { get; }

    /// <summary>The student model's type name (the report compares configurations per data set and student).</summary>
    string Student { get; }

    /// <summary>The declared <c>[Train(Seed = ...)]</c>; a sweep over n seeds uses this one and the n - 1 after it.</summary>
    int DeclaredSeed { get; }

    /// <summary>The axes in declaration order; the grid enumerates them with the last one varying fastest.</summary>
    IReadOnlyList<SweepAxis> Axes { get; }

    /// <summary>Number of trials in the grid (the product of the axes' sizes).</summary>
    int TrialCount { get; }

    /// <summary>Trial <paramref name="trial"/>'s configuration: one (axis, value) pair per axis, in axis order.</summary>
    IReadOnlyList<KeyValuePair<string, string>> Configuration(int trial);

    /// <summary>
    /// The first trial of the grid that runs exactly the configuration trial <paramref name="trial"/> runs (itself, unless an axis
    /// does not act on this trial: e.g. with a swept Distance of LogitMse, which reads no temperature, the Temperature and
    /// StudentTemperature values make no difference). <see cref="SweepPlan"/> runs only the trials that are their own, so a
    /// report never counts one configuration twice; their <see cref="Configuration"/> shows such axes as
    /// <see cref="SweepGrid.NotApplicableValue"/>.
    /// </summary>
    int SameAs(int trial) => trial;

    /// <summary>
    /// What trial <paramref name="trial"/>'s teacher depends on besides the experiment, the data set and the seed: the values of the
    /// swept knobs that change the teacher (today only TeacherSelection) and a fingerprint of the teacher's declaration (model,
    /// epochs, selection, the training settings it trains with), so a changed declaration never loads an old teacher; null when
    /// the experiment trains no teacher (teacher-free terms). Trials with the same key share one teacher; <see cref="SweepRunner"/>
    /// names its checkpoint file by it.
    /// </summary>
    string? TeacherKey(int trial);

    /// <summary>
    /// Runs trial <paramref name="trial"/> with <paramref name="seed"/> on <paramref name="data"/>; with
    /// <see cref="RunOptions.TeacherCheckpoint"/> set, the teacher is loaded from that file when it exists, else trained and saved there.
    /// </summary>
    SweepTrialResult RunTrial(int trial, DatasetSplits data, int seed, RunOptions? options = null);
}

/// <summary>A named data set a sweep runs on; <see cref="Load"/> receives the data root (the command line's <c>--data</c>).</summary>
public sealed record SweepDataset(string Name, Func<string, DatasetSplits> Load);
