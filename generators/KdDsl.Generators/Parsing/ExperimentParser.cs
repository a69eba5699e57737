using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static KdDsl.Generators.Diagnostics.DiagnosticDescriptors;

namespace KdDsl.Generators.Parsing;

/// <summary>
/// Turns a class marked [Distillation] into an <see cref="ExperimentSpec"/> and the diagnostics for everything wrong with it.
/// Collects every problem rather than stopping at the first, so the IDE shows them all at once.
/// </summary>
internal sealed class ExperimentParser
{
    public const string DistillationAttribute = "KdDsl.DistillationAttribute";
    private const string TeacherAttribute = "KdDsl.TeacherAttribute";
    private const string StudentAttribute = "KdDsl.StudentAttribute";
    private const string LossAttribute = "KdDsl.LossAttribute";
    private const string TrainAttribute = "KdDsl.TrainAttribute";
    private const string DatasetAttribute = "KdDsl.DatasetAttribute";
    private const string SelfTeacherAttribute = "KdDsl.SelfTeacherAttribute";
    private const string CalibratedTeacherAttribute = "KdDsl.CalibratedTeacherAttribute";
    private const string SyntheticDataAttribute = "KdDsl.SyntheticDataAttribute";
    private const string TorchLinear = "TorchSharp.Modules.Linear";
    private const string TorchModule = "TorchSharp.torch+nn+Module`2";
    private const string TorchTensor = "TorchSharp.torch+Tensor";

    private readonly List<DiagnosticInfo> diagnostics = new();
    private readonly Compilation compilation;
    private readonly CancellationToken cancellationToken;

    private ExperimentParser(Compilation compilation, CancellationToken cancellationToken)
    {
        this.compilation = compilation;
        this.cancellationToken = cancellationToken;
    }

    /// <summary>The transform of the incremental pipeline.</summary>
    public static ExperimentParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var parser = new ExperimentParser(context.SemanticModel.Compilation, cancellationToken);
        var spec = parser.ParseClass((ClassDeclarationSyntax)context.TargetNode, (INamedTypeSymbol)context.TargetSymbol);
        return new ExperimentParseResult(spec, new EquatableArray<DiagnosticInfo>(parser.diagnostics));
    }

    private ExperimentSpec? ParseClass(ClassDeclarationSyntax declaration, INamedTypeSymbol type)
    {
        var classLocation = LocationInfo.From(declaration.Identifier.GetLocation());
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            Report(ClassMustBePartial, classLocation, type.Name);
        if (type.ContainingType is not null)
            Report(UnsupportedClassShape, classLocation, type.Name, "it is nested inside '" + type.ContainingType.Name + "'");
        else if (type.IsGenericType)
            Report(UnsupportedClassShape, classLocation, type.Name, "it has type parameters");

        AttributeArguments? teacher = null, selfTeacher = null, student = null, train = null, dataset = null, synthetic = null, calibrated = null;
        var losses = new List<AttributeArguments>();
        var sweeps = new List<AttributeArguments>();
        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var arguments = new AttributeArguments(attribute, cancellationToken);
            switch (attribute.AttributeClass?.ToDisplayString())
            {
                case TeacherAttribute: teacher = arguments; break;
                case SelfTeacherAttribute: selfTeacher = arguments; break;
                case StudentAttribute: student = arguments; break;
                case LossAttribute: losses.Add(arguments); break;
                case TrainAttribute: train = arguments; break;
                case DatasetAttribute: dataset = arguments; break;
                case SyntheticDataAttribute: synthetic = arguments; break;
                case CalibratedTeacherAttribute: calibrated = arguments; break;
                case SweepParser.SweepAttribute: sweeps.Add(arguments); break;
            }
        }

        if (student is null) Report(MissingStudent, classLocation, type.Name);
        var studentModel = student is { } s ? ParseModel(s, "student") : null;
        var datasetSpec = dataset is { } d ? ParseDataset(d, synthetic) : null;
        if (synthetic is { } syn && datasetSpec?.Kind != DatasetKindSpec.Synthetic)
            Report(MissingRequirement, syn.AttributeLocation, "[SyntheticData]", "[Dataset(DatasetKind.Synthetic)] on the same class");
        var lossTerms = ParseLosses(losses, type.Name, classLocation, ClassCount(datasetSpec));

        if (teacher is not null && selfTeacher is { } self)
            Report(ConflictingOptions, self.AttributeLocation, "[SelfTeacher]", "[Teacher]", "an experiment has one teacher; keep one of them");
        // [MatchLayers] reads the teacher's hidden states, which a teacher-output cache holds too.
        bool matchesLayers = type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "KdDsl.MatchLayersAttribute");
        var teacherSpec = teacher is { } t ? ParseTeacher(t, lossTerms, matchesLayers)
            : selfTeacher is { } st && studentModel is not null ? ParseSelfTeacher(st, studentModel)
            : null;
        var (matchingDeclared, matching) = new MatchingParser(compilation, cancellationToken, diagnostics).Parse(type, teacher ?? selfTeacher,
            teacher is { } tm ? tm.Positional(0)?.Value as INamedTypeSymbol : selfTeacher is not null ? student?.Positional(0)?.Value as INamedTypeSymbol : null,
            student, student?.Positional(0)?.Value as INamedTypeSymbol);
        var teacherTerms = lossTerms.Where(l => l.NeedsTeacher).Select(l => l.Name).ToList();
        if (matchingDeclared) teacherTerms.Add(MatchingParser.TermName);
        if (teacher is null && selfTeacher is null && teacherTerms.Count > 0)
            Report(MissingTeacher, classLocation, type.Name, string.Join(", ", teacherTerms));
        if ((teacher ?? selfTeacher) is { } declared && teacherTerms.Count == 0 && lossTerms.Count > 0)
            Report(TeacherUnused, declared.AttributeLocation, type.Name);

        CalibrationSpec? calibration = null;
        if (calibrated is { } c)
        {
            int bins = c.NamedOr("Bins", 15);
            if (bins < 1) Report(ValueOutOfRange, c.NamedLocation("Bins"), "CalibratedTeacher.Bins", Format(bins), ">= 1");
            if (teacher is null && selfTeacher is null)
                Report(MissingRequirement, c.AttributeLocation, "[CalibratedTeacher]", "a model teacher: [Teacher(typeof(...))] or [SelfTeacher]");
            else if (datasetSpec is { ValidationFraction: 0 })
                Report(NeedsValidationSplit, c.AttributeLocation, "[CalibratedTeacher] (the temperature is fitted on held-out data)");
            calibration = new CalibrationSpec(bins);
        }
        if (teacherSpec is { Selection: not 0 } && datasetSpec is { ValidationFraction: 0 } && teacher is { } ts)
            Report(NeedsValidationSplit, ts.NamedLocation("Selection"), "Teacher.Selection = " + ((TeacherSelectionSpec)teacherSpec.Selection));

        var trainSpec = train is { } tr ? ParseTrain(tr) : TrainSpec.Default;
        var sweepSpec = SweepParser.Parse(sweeps, new SweepParser.Context
        {
            ClassName = type.Name, ClassLocation = classLocation, LossAttributes = losses, Losses = lossTerms, Teacher = teacher,
            SelfTeacher = selfTeacher is not null, TeacherSpec = teacherSpec, Dataset = datasetSpec, Train = train,
            MatchingDeclared = matchingDeclared, Matching = matching,
        }, diagnostics);

        // Emit only a complete experiment: attributes the compiler already rejects (an argument missing, a type that does
        // not bind) leave holes that would otherwise become code that does not compile.
        if (diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) || studentModel is null
            || lossTerms.Count == 0 || lossTerms.Count != losses.Count || (teacherTerms.Count > 0 && teacherSpec is null)
            || (teacher is not null && teacherSpec is null) || (matchingDeclared && matching is null))
            return null;
        string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        return SweepParser.Attach(new ExperimentSpec(ns, type.Name, type.IsStatic, teacherSpec, studentModel, MatchingParser.WithHiddenTerm(lossTerms, matching), trainSpec,
            datasetSpec, calibration, matching), sweepSpec);
    }

    private static int? ClassCount(DatasetSpec? dataset) => dataset?.Kind switch
    {
        DatasetKindSpec.Digits or DatasetKindSpec.FashionMnist or DatasetKindSpec.Mnist => 10,
        DatasetKindSpec.Synthetic => dataset.Synthetic?.Classes,
        _ => null,
    };

    private ModelSpec? ParseModel(AttributeArguments attribute, string role)
    {
        if (attribute.Positional(0)?.Value is not INamedTypeSymbol model || model.TypeKind == TypeKind.Error)
            return null; // typeof(...) that does not bind: the compiler already reports it.
        var location = attribute.PositionalLocation(0);
        string display = model.ToDisplayString();
        if (!IsTensorModule(model))
        {
            Report(NotATorchModule, location, role, display);
            return null;
        }
        if (model.IsAbstract)
        {
            Report(NoUsableConstructor, location, role, display, "is abstract");
            return null;
        }
        if (model.IsUnboundGenericType || model.TypeArguments.Any(a => a is ITypeParameterSymbol))
        {
            Report(NoUsableConstructor, location, role, display, "is an open generic type");
            return null;
        }
        var constructors = model.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        bool takesShape = constructors.Any(c =>
            c.Parameters.Length == 2 && c.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Int32 && p.RefKind == RefKind.None));
        bool parameterless = constructors.Any(c => c.Parameters.Length == 0);
        if (!takesShape && !parameterless)
        {
            Report(NoUsableConstructor, location, role, display, "has no suitable public constructor");
            return null;
        }
        return new ModelSpec(model.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), display, takesShape);
    }

    private bool IsTensorModule(INamedTypeSymbol model)
    {
        var module = compilation.GetTypeByMetadataName(TorchModule);
        var tensor = compilation.GetTypeByMetadataName(TorchTensor);
        if (module is null || tensor is null) return false;
        for (var current = model.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, module))
                return current.TypeArguments.All(a => SymbolEqualityComparer.Default.Equals(a, tensor));
        }
        return false;
    }

    private TeacherSpec? ParseTeacher(AttributeArguments teacher, EquatableArray<LossTermSpec> losses, bool matchesLayers)
    {
        var model = ParseModel(teacher, "teacher");
        string? checkpoint = teacher.NamedOr<string?>("Checkpoint", null);
        if (teacher.Has("Checkpoint"))
            CheckPath(checkpoint, "Teacher.Checkpoint", teacher.NamedLocation("Checkpoint"), "");
        int epochs = ParseTeacherEpochs(teacher, "Teacher.Epochs");
        double learningRate = teacher.NamedOr("LearningRate", 0.0);
        if (teacher.Has("LearningRate") && !(learningRate > 0 && !double.IsInfinity(learningRate)))
            Report(ValueOutOfRange, teacher.NamedLocation("LearningRate"), "Teacher.LearningRate", Format(learningRate), "a finite number > 0 (leave it out to use Train.LearningRate)");
        int selection = 0;
        if (teacher.Named("Selection")?.Value is int selectionValue)
        {
            if (Enum.IsDefined(typeof(TeacherSelectionSpec), selectionValue)) selection = selectionValue;
            else Report(UnknownEnumValue, teacher.NamedLocation("Selection"), Format(selectionValue), "TeacherSelection", Names<TeacherSelectionSpec>());
        }
        double stopAt = teacher.NamedOr("StopAtAccuracy", 0.0);
        if (teacher.Has("StopAtAccuracy") && !(stopAt > 0 && stopAt <= 1))
            Report(ValueOutOfRange, teacher.NamedLocation("StopAtAccuracy"), "Teacher.StopAtAccuracy", Format(stopAt), "in (0, 1]");
        if (stopAt > 0 && selection != 0)
            Report(ConflictingOptions, teacher.NamedLocation("StopAtAccuracy"), "Teacher.StopAtAccuracy", "Teacher.Selection",
                "a teacher stopped at a target accuracy keeps the weights it stopped with; remove one of them");
        if (model is not null && losses.Any(l => l.NeedsTeacherWeights) && teacher.Positional(0)?.Value is INamedTypeSymbol type
            && !HasLinearLayer(type, 0))
            Report(MissingRequirement, teacher.PositionalLocation(0),
                string.Join(" and ", losses.Where(l => l.NeedsTeacherWeights).Select(l => l.Name)),
                $"the teacher's logit layer (its last Linear layer), but '{type.ToDisplayString()}' has no Linear or Sequential field");
        int caching = EnumOption<CachingSpec>(teacher, "CacheOutputs", "TeacherOutputCaching");
        string? cacheDirectory = teacher.NamedOr<string?>("CacheDirectory", null);
        if (teacher.Has("CacheDirectory"))
        {
            if (caching != (int)CachingSpec.Disk)
                Report(ConflictingOptions, teacher.NamedLocation("CacheDirectory"), "Teacher.CacheDirectory", "CacheOutputs = " + (CachingSpec)caching,
                    "a cache folder is used only with CacheOutputs = TeacherOutputCaching.Disk");
            else
                CheckPath(cacheDirectory, "Teacher.CacheDirectory", teacher.NamedLocation("CacheDirectory"), "");
        }
        if (caching != 0 && !matchesLayers && !losses.Any(l => l.NeedsTeacherLogits))
            Report(ConflictingOptions, teacher.NamedLocation("CacheOutputs"), "Teacher.CacheOutputs", "the loss terms",
                "no term reads the teacher's outputs, so there is nothing to cache; remove CacheOutputs");
        return model is null ? null : new TeacherSpec(model, false, checkpoint, epochs, selection, stopAt, caching, cacheDirectory, learningRate);
    }

    private TeacherSpec ParseSelfTeacher(AttributeArguments selfTeacher, ModelSpec student) =>
        new(student, true, null, ParseTeacherEpochs(selfTeacher, "SelfTeacher.Epochs"), 0, 0, 0, null);

    private int ParseTeacherEpochs(AttributeArguments teacher, string setting)
    {
        int epochs = teacher.NamedOr("Epochs", 0);
        if (epochs < 0)
            Report(ValueOutOfRange, teacher.NamedLocation("Epochs"), setting, Format(epochs), "> 0, or 0 to use Train.Epochs");
        return epochs;
    }

    /// <summary>
    /// Whether the module type holds a Linear layer, directly or through fields of its own module types. A Sequential or
    /// ModuleList field counts too: its contents are only known at run time, where the check is repeated.
    /// </summary>
    private bool HasLinearLayer(INamedTypeSymbol type, int depth)
    {
        if (depth > 4) return true; // deep composition: leave it to the run-time check
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                var memberType = (member as IFieldSymbol)?.Type ?? (member as IPropertySymbol)?.Type;
                if (memberType is not INamedTypeSymbol named) continue;
                string name = named.ToDisplayString();
                if (name is TorchLinear or "TorchSharp.Modules.Sequential" or "TorchSharp.Modules.ModuleList"
                    || name.StartsWith("TorchSharp.Modules.ModuleList<", StringComparison.Ordinal))
                    return true;
                if (named.ContainingAssembly is { } assembly && !SymbolEqualityComparer.Default.Equals(assembly, type.ContainingAssembly)
                    && assembly.Name == "TorchSharp")
                    continue;
                if (IsModule(named) && !SymbolEqualityComparer.Default.Equals(named, type) && HasLinearLayer(named, depth + 1))
                    return true;
            }
        }
        return false;
    }

    private bool IsModule(INamedTypeSymbol type)
    {
        var module = compilation.GetTypeByMetadataName("TorchSharp.torch+nn+Module");
        for (var current = type.BaseType; current is not null; current = current.BaseType)
            if (SymbolEqualityComparer.Default.Equals(current, module)) return true;
        return false;
    }

    /// <summary>The options each loss kind accepts (besides Weight); any other named argument is reported (KD0010).</summary>
    private static readonly Dictionary<LossKindSpec, string[]> ApplicableOptions = new()
    {
        [LossKindSpec.CrossEntropy] = new string[0],
        [LossKindSpec.KlDivergence] = new[] { "Temperature", "StudentTemperature", "Reduction", "ScaleByTemperatureSquared" },
        [LossKindSpec.LogitMse] = new string[0],
        [LossKindSpec.LabelSmoothing] = new[] { "Epsilon", "SmoothingForm" },
        [LossKindSpec.TfKdRegularization] = new[] { "Temperature", "TargetProbability", "TfKdForm" },
        [LossKindSpec.KdPt] = new[] { "Temperature", "StudentTemperature" },
        [LossKindSpec.KdSim] = new[] { "StudentTemperature", "SimilarityTemperature" },
        [LossKindSpec.KdPtSim] = new[] { "Temperature", "StudentTemperature", "SimilarityTemperature" },
        [LossKindSpec.KdTopK] = new[] { "Temperature", "StudentTemperature", "TopK", "TopKForm" },
    };

    private static readonly string[] LossOptions =
    {
        "Temperature", "StudentTemperature", "Reduction", "ScaleByTemperatureSquared", "Epsilon", "SmoothingForm",
        "TargetProbability", "TfKdForm", "TopK", "TopKForm", "SimilarityTemperature",
    };

    private EquatableArray<LossTermSpec> ParseLosses(List<AttributeArguments> attributes, string className, LocationInfo? classLocation, int? classCount)
    {
        if (attributes.Count == 0)
        {
            Report(NoLossTerm, classLocation, className);
            return EquatableArray<LossTermSpec>.Empty;
        }
        var terms = new List<LossTermSpec>();
        var seen = new HashSet<LossKindSpec>();
        bool anyNegative = false;
        foreach (var loss in attributes)
        {
            if (loss.Positional(0)?.Value is not int kindValue) continue;
            if (!Enum.IsDefined(typeof(LossKindSpec), kindValue) || kindValue == (int)LossKindSpec.HiddenStates)
            {
                Report(UnknownEnumValue, loss.PositionalLocation(0), Format(kindValue), "LossKind", Names<LossKindSpec>().Replace(", HiddenStates", ""));
                continue;
            }
            var kind = (LossKindSpec)kindValue;
            string name = kind.ToString();
            if (!seen.Add(kind))
                Report(DuplicateLossTerm, loss.PositionalLocation(0), name);

            double weight = loss.NamedOr("Weight", 1.0);
            if (!(weight >= 0) || double.IsInfinity(weight))
            {
                Report(NegativeWeight, loss.NamedLocation("Weight"), name, Format(weight));
                anyNegative = true;
            }
            foreach (var option in LossOptions)
            {
                if (loss.Has(option) && Array.IndexOf(ApplicableOptions[kind], option) < 0)
                    Report(OptionNotValidForLoss, loss.NamedLocation(option), option, name, WhereOptionApplies(option));
            }

            double temperature = Positive(loss, "Temperature", name, 1.0);
            // KL's student temperature follows the teacher's unless set; the soft-target kinds use the plain student softmax.
            double studentTemperature = Positive(loss, "StudentTemperature", name, kind == LossKindSpec.KlDivergence ? temperature : 1.0);
            double similarityTemperature = Positive(loss, "SimilarityTemperature", name, 1.0);
            int reduction = EnumOption<KlReductionSpec>(loss, "Reduction", "KlReduction");
            int smoothingForm = EnumOption<LabelSmoothingFormSpec>(loss, "SmoothingForm", "LabelSmoothingForm");
            int tfKdForm = EnumOption<TfKdFormSpec>(loss, "TfKdForm", "TfKdForm");
            int topKForm = EnumOption<TopKFormSpec>(loss, "TopKForm", "TopKForm");
            bool scale = loss.NamedOr("ScaleByTemperatureSquared", true);

            double epsilon = loss.NamedOr("Epsilon", 0.1);
            if (!(epsilon > 0 && epsilon < 1))
                Report(ValueOutOfRange, loss.NamedLocation("Epsilon"), name + ".Epsilon", Format(epsilon), "in (0, 1)");
            double target = loss.NamedOr("TargetProbability", 0.9);
            if (!(target > 0 && target <= 1))
                Report(ValueOutOfRange, loss.NamedLocation("TargetProbability"), name + ".TargetProbability", Format(target), "in (0, 1]");
            int topK = loss.NamedOr("TopK", 1);
            if (topK < 1)
                Report(ValueOutOfRange, loss.NamedLocation("TopK"), name + ".TopK", Format(topK), ">= 1");
            else if (classCount is { } k && topK > k)
                Report(ValueOutOfRange, loss.NamedLocation("TopK"), name + ".TopK", Format(topK), $"at most the data set's {Format(k)} classes");

            terms.Add(new LossTermSpec(kind, weight, temperature, studentTemperature, reduction, scale, epsilon, smoothingForm, target,
                tfKdForm, topK, topKForm, similarityTemperature));
        }
        if (!anyNegative && terms.Count > 0 && terms.All(term => term.Weight == 0))
            Report(AllWeightsZero, classLocation, className);
        return new EquatableArray<LossTermSpec>(terms);
    }

    private static string WhereOptionApplies(string option)
    {
        var kinds = ApplicableOptions.Where(p => Array.IndexOf(p.Value, option) >= 0).Select(p => p.Key.ToString()).ToList();
        return $"it applies only to {string.Join(", ", kinds)}; remove the argument";
    }

    private double Positive(AttributeArguments loss, string option, string kind, double fallback)
    {
        if (!loss.Has(option)) return fallback;
        double value = loss.NamedOr(option, fallback);
        if (!(value > 0) || double.IsInfinity(value))
            Report(NonPositiveTemperature, loss.NamedLocation(option), option, kind, Format(value));
        return value;
    }

    private int EnumOption<TEnum>(AttributeArguments attribute, string option, string enumName) where TEnum : struct, Enum
    {
        if (attribute.Named(option)?.Value is not int value) return 0;
        if (Enum.IsDefined(typeof(TEnum), value)) return value;
        Report(UnknownEnumValue, attribute.NamedLocation(option), Format(value), enumName, Names<TEnum>());
        return 0;
    }

    private TrainSpec ParseTrain(AttributeArguments train)
    {
        var defaults = TrainSpec.Default;
        int epochs = train.NamedOr("Epochs", defaults.Epochs);
        if (epochs <= 0) Report(ValueOutOfRange, train.NamedLocation("Epochs"), "Train.Epochs", Format(epochs), "> 0");
        int batchSize = train.NamedOr("BatchSize", defaults.BatchSize);
        if (batchSize <= 0) Report(ValueOutOfRange, train.NamedLocation("BatchSize"), "Train.BatchSize", Format(batchSize), "> 0");
        double learningRate = train.NamedOr("LearningRate", defaults.LearningRate);
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            Report(ValueOutOfRange, train.NamedLocation("LearningRate"), "Train.LearningRate", Format(learningRate), "a finite number > 0");
        int seed = train.NamedOr("Seed", defaults.Seed);

        var optimizer = defaults.Optimizer;
        if (train.Named("Optimizer")?.Value is int optimizerValue)
        {
            if (Enum.IsDefined(typeof(OptimizerKindSpec), optimizerValue)) optimizer = (OptimizerKindSpec)optimizerValue;
            else Report(UnknownEnumValue, train.NamedLocation("Optimizer"), Format(optimizerValue), "OptimizerKind", Names<OptimizerKindSpec>());
        }
        double momentum = train.NamedOr("Momentum", defaults.Momentum);
        if (train.Has("Momentum"))
        {
            if (!(momentum >= 0 && momentum < 1))
                Report(ValueOutOfRange, train.NamedLocation("Momentum"), "Train.Momentum", Format(momentum), "in [0, 1)");
            else if (optimizer != OptimizerKindSpec.Sgd)
                Report(ConflictingOptions, train.NamedLocation("Momentum"), "Train.Momentum", "Optimizer = " + optimizer,
                    "momentum applies only to OptimizerKind.Sgd (Adam keeps its own moment estimates); remove Momentum or use Sgd");
        }
        double weightDecay = train.NamedOr("WeightDecay", defaults.WeightDecay);
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            Report(ValueOutOfRange, train.NamedLocation("WeightDecay"), "Train.WeightDecay", Format(weightDecay), "a finite number >= 0");
        bool baseline = train.NamedOr("StudentBaseline", defaults.StudentBaseline);

        int accumulation = train.NamedOr("AccumulationSteps", defaults.AccumulationSteps);
        if (accumulation < 1)
            Report(ValueOutOfRange, train.NamedLocation("AccumulationSteps"), "Train.AccumulationSteps", Format(accumulation), ">= 1");
        double clip = train.NamedOr("ClipGradientNorm", defaults.ClipGradientNorm);
        if (!(clip >= 0) || double.IsInfinity(clip))
            Report(ValueOutOfRange, train.NamedLocation("ClipGradientNorm"), "Train.ClipGradientNorm", Format(clip), "a finite number >= 0 (0 = no clipping)");
        var schedule = (ScheduleSpec)EnumOption<ScheduleSpec>(train, "Schedule", "LearningRateSchedule");
        int warmup = train.NamedOr("WarmupSteps", defaults.WarmupSteps);
        if (warmup < 0)
            Report(ValueOutOfRange, train.NamedLocation("WarmupSteps"), "Train.WarmupSteps", Format(warmup), ">= 0");
        int decayEpochs = train.NamedOr("StepDecayEpochs", defaults.StepDecayEpochs);
        double decayFactor = train.NamedOr("StepDecayFactor", defaults.StepDecayFactor);
        foreach (var option in new[] { "StepDecayEpochs", "StepDecayFactor" })
        {
            if (train.Has(option) && schedule != ScheduleSpec.StepDecay)
                Report(ConflictingOptions, train.NamedLocation(option), "Train." + option, "Schedule = " + schedule,
                    "it applies only to LearningRateSchedule.StepDecay");
        }
        if (decayEpochs < 1)
            Report(ValueOutOfRange, train.NamedLocation("StepDecayEpochs"), "Train.StepDecayEpochs", Format(decayEpochs), ">= 1");
        if (!(decayFactor > 0 && decayFactor <= 1))
            Report(ValueOutOfRange, train.NamedLocation("StepDecayFactor"), "Train.StepDecayFactor", Format(decayFactor), "in (0, 1]");
        string? checkpoint = train.NamedOr<string?>("Checkpoint", null);
        if (train.Has("Checkpoint"))
            CheckPath(checkpoint, "Train.Checkpoint", train.NamedLocation("Checkpoint"), "");
        return new TrainSpec(epochs, batchSize, learningRate, seed, optimizer, momentum, weightDecay, baseline,
            accumulation, clip, schedule, warmup, decayEpochs, decayFactor, checkpoint);
    }

    private DatasetSpec? ParseDataset(AttributeArguments dataset, AttributeArguments? synthetic)
    {
        if (dataset.Positional(0)?.Value is not int kindValue) return null;
        if (!Enum.IsDefined(typeof(DatasetKindSpec), kindValue))
        {
            Report(UnknownEnumValue, dataset.PositionalLocation(0), Format(kindValue), "DatasetKind", Names<DatasetKindSpec>());
            return null;
        }
        var kind = (DatasetKindSpec)kindValue;
        string? path = dataset.NamedOr<string?>("Path", null);
        if (dataset.Has("Path"))
        {
            if (kind == DatasetKindSpec.Synthetic)
                Report(ConflictingOptions, dataset.NamedLocation("Path"), "Dataset.Path", "DatasetKind.Synthetic", "synthetic data is generated, not read; remove Path");
            else
                CheckPath(path, "Dataset.Path", dataset.NamedLocation("Path"), "");
        }
        else if (kind == DatasetKindSpec.Mnist)
            CheckPath(null, "Dataset.Path", dataset.AttributeLocation, " (MNIST has no default location; give the folder holding its IDX files)");
        int trainLimit = dataset.NamedOr("TrainLimit", 0);
        if (trainLimit < 0)
            Report(ValueOutOfRange, dataset.NamedLocation("TrainLimit"), "Dataset.TrainLimit", Format(trainLimit), ">= 0 (0 = all samples)");
        int testLimit = dataset.NamedOr("TestLimit", 0);
        if (testLimit < 0)
            Report(ValueOutOfRange, dataset.NamedLocation("TestLimit"), "Dataset.TestLimit", Format(testLimit), ">= 0 (0 = all samples)");
        double validation = dataset.NamedOr("ValidationFraction", 0.0);
        if (!(validation >= 0 && validation < 1))
            Report(ValueOutOfRange, dataset.NamedLocation("ValidationFraction"), "Dataset.ValidationFraction", Format(validation), "in [0, 1)");
        var syntheticSpec = kind == DatasetKindSpec.Synthetic ? ParseSynthetic(synthetic) : null;
        return new DatasetSpec(kind, path, trainLimit, testLimit, validation, syntheticSpec);
    }

    private SyntheticSpec ParseSynthetic(AttributeArguments? synthetic)
    {
        var defaults = SyntheticSpec.Default;
        if (synthetic is not { } a) return defaults;
        int Positive(string name, int fallback, int minimum)
        {
            int value = a.NamedOr(name, fallback);
            if (value < minimum)
                Report(ValueOutOfRange, a.NamedLocation(name), "SyntheticData." + name, Format(value), ">= " + Format(minimum));
            return value;
        }
        int train = Positive("TrainSamples", defaults.TrainSamples, 1);
        int test = Positive("TestSamples", defaults.TestSamples, 1);
        int classes = Positive("Classes", defaults.Classes, 2);
        int groups = Positive("Groups", defaults.Groups, 1);
        if (groups > classes)
            Report(ValueOutOfRange, a.NamedLocation("Groups"), "SyntheticData.Groups", Format(groups), $"at most Classes ({Format(classes)})");
        int features = a.NamedOr("Features", defaults.Features);
        if (features < classes + groups)
            Report(ValueOutOfRange, a.NamedLocation("Features"), "SyntheticData.Features", Format(features),
                $"at least Classes + Groups ({Format(classes + groups)}), one orthonormal direction each");
        double tau = a.NamedOr("ClassCorrelation", defaults.ClassCorrelation);
        if (!(tau >= 0 && tau <= 1))
            Report(ValueOutOfRange, a.NamedLocation("ClassCorrelation"), "SyntheticData.ClassCorrelation", Format(tau), "in [0, 1]");
        int seed = a.NamedOr("Seed", defaults.Seed);
        return new SyntheticSpec(train, test, features, classes, groups, tau, seed);
    }

    private void CheckPath(string? path, string setting, LocationInfo? location, string hint)
    {
        if (string.IsNullOrWhiteSpace(path) || path!.IndexOf('\0') >= 0)
            Report(InvalidPath, location, setting, hint);
    }

    private void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        diagnostics.Add(new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments)));

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Names<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetNames(typeof(TEnum)));
}
