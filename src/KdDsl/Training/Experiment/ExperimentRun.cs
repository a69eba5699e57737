using System;
using System.Collections.Generic;
using System.Diagnostics;
using KdDsl.Calibration;
using KdDsl.Data;
using KdDsl.Matching;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>What the teacher phase did: loaded or trained (with its report), and the teacher's calibration on the test split.</summary>
public sealed record TeacherPhaseReport(bool LoadedFromCheckpoint, TeacherTrainingReport? Training, CalibrationReport Test)
{
    /// <summary>The teacher's accuracy on the test split.</summary>
    public double Accuracy => Test.Accuracy;
}

/// <summary>What the student-alone baseline did: its mean cross-entropy per epoch and its test accuracy.</summary>
public sealed record BaselineReport(IReadOnlyList<double> EpochLosses, double Accuracy);

/// <summary>One stage of a staged distillation (<c>[Stage]</c>): its number, settings, terms, trained parameters (null: all).</summary>
/// <param name="Number">The stage's number (its checkpoint is the run's path plus <c>.stage{Number}</c>).</param>
/// <param name="Settings">The stage's settings: the experiment's, with its epochs and learning rate.</param>
/// <param name="Terms">The stage's terms.</param>
/// <param name="Trains">Prefixes of the student parameter names the stage trains; null: the whole student.</param>
/// <param name="MatchesLayers">Whether the stage's terms include the layer-matching term (its connectors train in the stage).</param>
public sealed record DistillationStage(int Number, TrainingSettings Settings, LossTerms Terms, IReadOnlyList<string>? Trains = null,
    bool MatchesLayers = false);

/// <summary>What the distillation phase did: the loop's outcome and the distilled student's calibration on the test split.</summary>
public sealed record DistillationReport(DistillationOutcome Outcome, string EpochAccuracySplit, CalibrationReport StudentTest);

/// <summary>
/// One run of an experiment, phase by phase, as every generated <c>Run</c> performs it: models built and checked against the
/// data before any training step, the teacher loaded or trained (and saved), the student-alone baseline, distillation, and the
/// final measurements. The generated code supplies only what differs: the model types, the declared values and the terms.
/// Seeds: the teacher is built from the run's seed, the student (and its baseline) from seed + 1, and training of the student
/// phases starts from seed + 2, so each phase's randomness does not depend on what the phases before it drew.
/// </summary>
public sealed class ExperimentRun
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    /// <summary>Starts a run of <paramref name="experiment"/> on <paramref name="data"/> (validated here) with <paramref name="settings"/>.</summary>
    public ExperimentRun(string experiment, DatasetSplits data, TrainingSettings settings, RunOptions options, int calibrationBins = 15)
    {
        data.Validate();
        Experiment = experiment;
        Data = data;
        Settings = settings;
        Options = options;
        CalibrationBins = calibrationBins;
        Device = options.ResolveDevice();
    }

    /// <summary>The experiment's name.</summary>
    public string Experiment { get; }

    /// <summary>The data.</summary>
    public DatasetSplits Data { get; }

    /// <summary>The settings in force: the declared ones with the run's options applied.</summary>
    public TrainingSettings Settings { get; }

    /// <summary>The run's options.</summary>
    public RunOptions Options { get; }

    /// <summary>The training device.</summary>
    public Device Device { get; }

    /// <summary>Reliability bins of the calibration reports.</summary>
    public int CalibrationBins { get; }

    /// <summary>Wall time since the run started.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Seeds TorchSharp's global generator with the run's seed plus <paramref name="offset"/>.</summary>
    public void Seed(int offset) => ExperimentRuntime.Seed(unchecked(Settings.Seed + offset));

    /// <summary>
    /// Builds a model from the seed plus <paramref name="seedOffset"/>, checks that it accepts the data and returns one logit per
    /// class (naming <paramref name="role"/> and <paramref name="modelType"/> when it does not), and moves it to the device.
    /// </summary>
    public TModel Build<TModel>(Func<TModel> create, string role, string modelType, int seedOffset) where TModel : nn.Module<Tensor, Tensor>
    {
        Seed(seedOffset);
        var model = create();
        ModelChecks.EnsureFits(model, role, modelType, Data.Train);
        model.to(Device);
        return model;
    }

    /// <summary>
    /// Builds a model the run needs later exactly as <see cref="Build{TModel}"/> would and checks it against the data, then
    /// discards it and restores the random state: a student that cannot take the data is refused before the teacher trains,
    /// and the run's numbers are the same as without the check.
    /// </summary>
    public void Probe<TModel>(Func<TModel> create, string role, string modelType, int seedOffset) where TModel : nn.Module<Tensor, Tensor>
    {
        using var state = torch.get_rng_state();
        try
        {
            using var model = Build(create, role, modelType, seedOffset);
        }
        finally
        {
            torch.set_rng_state(state);
        }
    }

    /// <summary>
    /// Checks, before any training step, what would otherwise fail only after the teacher has trained: that a validation split
    /// exists when <paramref name="validationNeededBy"/> names something that needs one, and that every checkpoint or cache
    /// path the run will write (the run's options override the declared ones) can be written.
    /// </summary>
    /// <param name="validationNeededBy">What needs a validation split, if anything.</param>
    /// <param name="teacherCheckpoint">The (first) teacher's declared checkpoint; <see cref="RunOptions.TeacherCheckpoint"/> overrides it.</param>
    /// <param name="distillationCheckpoint">The declared distillation checkpoint; <see cref="RunOptions.Checkpoint"/> overrides it.</param>
    /// <param name="cacheDirectory">The teacher-output cache folder.</param>
    /// <param name="otherTeacherCheckpoints">With several teachers: the declared checkpoints of the second and later (not overridden).</param>
    public void CheckRequirements(string? validationNeededBy = null, string? teacherCheckpoint = null, string? distillationCheckpoint = null,
        string? cacheDirectory = null, IReadOnlyList<string>? otherTeacherCheckpoints = null)
    {
        foreach (string other in otherTeacherCheckpoints ?? Array.Empty<string>()) CheckWritable(other, "teacher checkpoint", file: true);
        if (validationNeededBy is not null && Data.Validation is null)
            throw new InvalidOperationException(
                $"{validationNeededBy} needs a validation split, and the data has none: pass DatasetSplits with Validation, or set " +
                "[Dataset(ValidationFraction = ...)]. Nothing was trained.");
        CheckWritable(Options.TeacherCheckpoint ?? teacherCheckpoint, "teacher checkpoint", file: true);
        CheckWritable(Options.Checkpoint ?? distillationCheckpoint, "distillation checkpoint", file: true);
        CheckWritable(cacheDirectory, "teacher-output cache folder", file: false);
    }

    private static void CheckWritable(string? path, string what, bool file)
    {
        if (string.IsNullOrEmpty(path)) return;
        try
        {
            string full = System.IO.Path.GetFullPath(path);
            string folder = file ? System.IO.Path.GetDirectoryName(full) ?? "." : full;
            System.IO.Directory.CreateDirectory(folder);
            string probe = System.IO.Path.Combine(folder, $".kddsl-write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
            System.IO.File.WriteAllBytes(probe, Array.Empty<byte>());
            System.IO.File.Delete(probe);
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new System.IO.IOException($"The {what} '{path}' cannot be written ({e.Message}); choose another path. Nothing was trained.", e);
        }
    }

    /// <summary>
    /// Loads the teacher from PyTorch's weights when <paramref name="pytorchWeights"/> names a file (<see cref="PyTorchWeights"/>:
    /// it is not trained), else from its checkpoint (<see cref="RunOptions.TeacherCheckpoint"/>, else
    /// <paramref name="declaredCheckpoint"/>) when the file exists; otherwise trains it with <paramref name="teacherSettings"/>,
    /// keeping the epoch <paramref name="selection"/> picks, and saves it there atomically, holding the checkpoint's lock
    /// (<see cref="TeacherCheckpoint.Lock"/>) meanwhile, so that runs started together train it once. Then measures it on the test split.
    /// With several teachers the second and later pass <paramref name="checkpointFromOptions"/> false: the run's
    /// <see cref="RunOptions.TeacherCheckpoint"/> is the first teacher's alone.
    /// </summary>
    public TeacherPhaseReport PrepareTeacher(nn.Module<Tensor, Tensor> teacher, string modelType, string? declaredCheckpoint,
        TrainingSettings teacherSettings, TeacherSelection selection, double stopAtAccuracy, string? pytorchWeights = null,
        bool checkpointFromOptions = true)
    {
        if (pytorchWeights is not null)
        {
            PyTorchWeights.Load(teacher, pytorchWeights, modelType);
            return new TeacherPhaseReport(true, null, Measure(teacher));
        }
        string? checkpoint = checkpointFromOptions ? Options.TeacherCheckpoint ?? declaredCheckpoint : declaredCheckpoint;
        // Runs that start together with the same checkpoint (sweep shards) train the teacher once: the first to take the lock
        // trains and saves it; the others wait for the lock, then find the file and load it.
        bool loaded;
        TeacherTrainingReport? training = null;
        using (checkpoint is null || TeacherCheckpoint.Exists(checkpoint) ? null : TeacherCheckpoint.Lock(checkpoint))
        {
            loaded = TeacherCheckpoint.Exists(checkpoint);
            if (loaded)
            {
                TeacherCheckpoint.Load(teacher, checkpoint!, modelType);
            }
            else
            {
                training = TeacherTraining.Train(teacher, Data, teacherSettings, selection, stopAtAccuracy, Device, Options.Progress);
                if (checkpoint is not null) TeacherCheckpoint.SaveAtomically(teacher, checkpoint);
                NativeMemory.ReleaseFreeMemory();
            }
        }
        // One pass over the test split: the calibration report holds the accuracy too (arg-max of the same logits).
        return new TeacherPhaseReport(loaded, training, Measure(teacher));
    }

    /// <summary>Fits the teacher's temperature T* on the validation split and measures the test split before and after.</summary>
    public TeacherCalibrationReport CalibrateTeacher(nn.Module<Tensor, Tensor> teacher) =>
        CalibrationSteps.CalibrateTeacher(teacher, Data, CalibrationBins, Settings.BatchSize, Device);

    /// <summary>Trains <paramref name="studentAlone"/> with cross-entropy alone (the baseline) and measures its test accuracy.</summary>
    public BaselineReport TrainStudentAlone(nn.Module<Tensor, Tensor> studentAlone)
    {
        Seed(2);
        var losses = SupervisedTraining.Train(studentAlone, Data.Train, Settings, TrainingPhase.StudentAlone, Device, Options.Progress);
        NativeMemory.ReleaseFreeMemory();
        return new BaselineReport(losses, Evaluation.Accuracy(studentAlone, Data.Test, Settings.BatchSize, Device));
    }

    /// <summary>
    /// Distils <paramref name="student"/> with <paramref name="terms"/> (checkpointed at <see cref="RunOptions.Checkpoint"/>, else
    /// <paramref name="declaredCheckpoint"/>), measuring its accuracy after every epoch on the validation split when there is one,
    /// else on the test split; then measures it on the test split.
    /// </summary>
    public DistillationReport Distill(nn.Module<Tensor, Tensor> student, TeacherSource? teacher, LossTerms terms,
        string? declaredCheckpoint = null, HiddenStateMatcher? matcher = null)
    {
        string split = Data.Validation is null ? "test" : "validation";
        Seed(2);
        var phase = new DistillationPhase(Experiment, student, teacher, Data.Train, Data.Validation ?? Data.Test, split, Settings, Device,
            Options.Progress, Options.Checkpoint ?? declaredCheckpoint, matcher);
        var outcome = DistillationLoop.Run(phase, terms);
        NativeMemory.ReleaseFreeMemory();
        return new DistillationReport(outcome, split, Measure(student));
    }

    /// <summary>
    /// Distils <paramref name="student"/> in <paramref name="stages"/>, one after another on the same student: each stage its own
    /// settings, terms and trained parameters, checkpointed on its own at the run's checkpoint path plus <c>.stage{n}</c> (a
    /// resumed run skips the stages whose checkpoints are complete, loading their result, and resumes the first that is not).
    /// The outcome has one row per epoch of every stage, in order, over all of <paramref name="termNames"/>: a term that is not
    /// part of a stage is NaN in that stage's rows. Then measures the student on the test split.
    /// </summary>
    public DistillationReport DistillInStages(nn.Module<Tensor, Tensor> student, TeacherSource? teacher, IReadOnlyList<string> termNames,
        IReadOnlyList<DistillationStage> stages, string? declaredCheckpoint = null, HiddenStateMatcher? matcher = null)
    {
        ArgumentNullException.ThrowIfNull(termNames);
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0) throw new ArgumentException("A staged distillation needs at least one stage.", nameof(stages));
        string split = Data.Validation is null ? "test" : "validation";
        string? checkpoint = Options.Checkpoint ?? declaredCheckpoint;
        var rows = new List<double[]>();
        int resumedAfterEpoch = 0;
        bool resuming = true;
        foreach (var stage in stages)
        {
            // Each stage starts from its own seed, so a stage runs the same whether the one before it trained or was loaded.
            Seed(2 + stage.Number);
            var phase = new DistillationPhase(Experiment, student, teacher, Data.Train, Data.Validation ?? Data.Test, split, stage.Settings, Device,
                Options.Progress, checkpoint is null ? null : $"{checkpoint}.stage{stage.Number}", stage.MatchesLayers ? matcher : null, stage.Trains);
            var outcome = DistillationLoop.Run(phase, stage.Terms);
            foreach (var row in outcome.Epochs) rows.Add(Widen(row, stage.Terms.Names, termNames));
            if (resuming)
            {
                resumedAfterEpoch += outcome.ResumedAfterEpoch;
                resuming = outcome.ResumedAfterEpoch == stage.Settings.Epochs;
            }
            NativeMemory.ReleaseFreeMemory();
        }
        return new DistillationReport(new DistillationOutcome(rows, resumedAfterEpoch), split, Measure(student));
    }

    /// <summary>A stage's epoch row [total, its terms..., accuracy] over all the experiment's terms (NaN for the others).</summary>
    private static double[] Widen(double[] row, IReadOnlyList<string> stageTerms, IReadOnlyList<string> termNames)
    {
        var wide = new double[termNames.Count + 2];
        Array.Fill(wide, double.NaN);
        wide[0] = row[0];
        for (int i = 0; i < stageTerms.Count; i++)
        {
            int at = IndexOf(termNames, stageTerms[i]);
            if (at < 0) throw new ArgumentException($"The stage term {stageTerms[i]} is not one of the experiment's terms ({string.Join(", ", termNames)}).");
            wide[at + 1] = row[i + 1];
        }
        wide[^1] = row[^1];
        return wide;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        return -1;
    }

    private CalibrationReport Measure(nn.Module<Tensor, Tensor> model) =>
        CalibrationSteps.Measure(model, Data.Test, CalibrationBins, Settings.BatchSize, Device);
}
