using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using KdDsl.Generators.Catalog;
using KdDsl.Generators.Model;
using KdDsl.Losses;
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
    public static ExperimentParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(context.SemanticModel.Compilation, (TypeDeclarationSyntax)context.TargetNode, (INamedTypeSymbol)context.TargetSymbol, cancellationToken);

    /// <summary>
    /// The one entry point of the generator (through the transform above) and of <see cref="DistillationAnalyzer"/>: the spec
    /// of the class marked [Distillation] that <paramref name="declaration"/> declares, and everything wrong with it.
    /// </summary>
    public static ExperimentParseResult Parse(Compilation compilation, TypeDeclarationSyntax declaration, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        // One experiment per class: with [Distillation] on several partial declarations (the compiler reports CS0579) only the
        // declaration holding the first one parses it, so the class is generated (and diagnosed) once, not once per part.
        if (FirstDistillationAttribute(type) is { } first && (first.SyntaxTree != declaration.SyntaxTree || !declaration.AttributeLists.Any(l => l.FullSpan.Contains(first.Span))))
            return new ExperimentParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        var parser = new ExperimentParser(compilation, cancellationToken);
        var spec = parser.ParseClass(declaration, type);
        return new ExperimentParseResult(spec, new EquatableArray<DiagnosticInfo>(parser.diagnostics));
    }

    /// <summary>Where the first [Distillation] of <paramref name="type"/> is written: its declaration is the one that parses the class.</summary>
    public static SyntaxReference? FirstDistillationAttribute(INamedTypeSymbol type) =>
        type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeNames.Distillation)?.ApplicationSyntaxReference;

    private ExperimentSpec? ParseClass(TypeDeclarationSyntax declaration, INamedTypeSymbol type)
    {
        var classLocation = LocationInfo.From(declaration.Identifier.GetLocation());
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            Report(ClassMustBePartial, classLocation, type.Name);
        if (type.ContainingType is not null)
            Report(UnsupportedClassShape, classLocation, type.Name, "it is nested inside '" + type.ContainingType.Name + "'");
        else if (type.IsGenericType)
            Report(UnsupportedClassShape, classLocation, type.Name, "it has type parameters");
        string typeKeyword = "class";
        if (declaration is RecordDeclarationSyntax record && !record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword))
            typeKeyword = "record";
        else if (type.TypeKind != TypeKind.Class)
            Report(ExperimentCannotHoldGeneratedCode, classLocation, type.Name, $"[Distillation] applies to classes, and it is a {(type.IsRecord ? "record struct" : type.TypeKind.ToString().ToLowerInvariant())}");
        if (type.IsFileLocal)
            Report(ExperimentCannotHoldGeneratedCode, classLocation, type.Name,
                "it is file-local ('file'), and the generated part of a class is another file; make it internal or public");
        for (var baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            if (baseType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeNames.Distillation))
            {
                Report(ExperimentCannotHoldGeneratedCode, classLocation, type.Name,
                    $"it derives from experiment '{baseType.Name}', whose generated members (Run, Result, ...) its own would hide; derive both from a base class that is not an experiment");
                break;
            }
        }

        AttributeArguments? teacher = null, selfTeacher = null, student = null, train = null, dataset = null, synthetic = null, calibrated = null;
        AttributeArguments? normalize = null, augment = null, ensemble = null;
        var teachers = new List<AttributeArguments>();
        var losses = new List<AttributeArguments>();
        var sweeps = new List<AttributeArguments>();
        var stages = new List<AttributeArguments>();
        AttributeArguments? matchLayers = null;
        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var arguments = new AttributeArguments(attribute, cancellationToken);
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name == AttributeNames.Teacher)
            {
                teachers.Add(arguments);
                teacher ??= arguments; // the first teacher is the teacher of everything that reads one
            }
            else if (name == AttributeNames.TeacherEnsemble) ensemble = arguments;
            else if (name == AttributeNames.SelfTeacher) selfTeacher = arguments;
            else if (name == AttributeNames.Student) student = arguments;
            else if (name == AttributeNames.Loss) losses.Add(arguments);
            else if (name == AttributeNames.Train) train = arguments;
            else if (name == AttributeNames.Dataset) dataset = arguments;
            else if (name == AttributeNames.SyntheticData) synthetic = arguments;
            else if (name == AttributeNames.CalibratedTeacher) calibrated = arguments;
            else if (name == AttributeNames.Sweep) sweeps.Add(arguments);
            else if (name == AttributeNames.Normalize) normalize = arguments;
            else if (name == AttributeNames.Augment) augment = arguments;
            else if (name == AttributeNames.Stage) stages.Add(arguments);
            else if (name == AttributeNames.MatchLayers) matchLayers = arguments;
        }

        if (student is null) Report(MissingStudent, classLocation, type.Name);
        var studentModel = student is { } s ? ParseModel(s, "student", type) : null;
        var datasetSpec = dataset is { } d ? ParseDataset(d, synthetic) : null;
        if (synthetic is { } syn && datasetSpec?.Kind != DatasetKind.Synthetic)
            Report(MissingRequirement, syn.AttributeLocation, "[SyntheticData]", "[Dataset(DatasetKind.Synthetic)] on the same class");
        var lossTerms = ParseLosses(losses, type.Name, classLocation, ClassCount(datasetSpec));

        if (teacher is not null && selfTeacher is { } self)
            Report(ConflictingOptions, self.AttributeLocation, "[SelfTeacher]", "[Teacher]", "an experiment has one teacher; keep one of them");
        // [MatchLayers] reads the teacher's hidden states, which a teacher-output cache holds too.
        bool matchesLayers = type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeNames.MatchLayers);
        var teacherSpec = teacher is { } t ? ParseTeacher(t, lossTerms, matchesLayers, type)
            : selfTeacher is { } st && studentModel is not null ? ParseSelfTeacher(st, studentModel)
            : null;
        // Several teachers (KD0065-KD0070): each parsed like the first; terms get the teacher they name, or the ensemble.
        var teacherSpecs = teachers.Select((declared, i) => i == 0 ? teacherSpec : ParseTeacher(declared, lossTerms, matchesLayers, type)).ToList();
        var (namedTeachers, ensembleWeights, namedTerms) = TeacherEnsembleParser.Parse(teachers, teacherSpecs, ensemble, losses, lossTerms,
            new TeacherEnsembleParser.Features
            {
                SelfTeacher = selfTeacher, Calibrated = calibrated, MatchLayers = matchLayers, Sweeps = sweeps, Stages = stages,
            }, diagnostics);
        lossTerms = namedTerms;
        var (matchingDeclared, matching) = new MatchingParser(compilation, cancellationToken, diagnostics).Parse(type, teacher ?? selfTeacher,
            teacher is { } tm ? tm.Positional(0)?.Value as INamedTypeSymbol : selfTeacher is not null ? student?.Positional(0)?.Value as INamedTypeSymbol : null,
            student, student?.Positional(0)?.Value as INamedTypeSymbol);
        var topKStore = teacher is { } tk ? ParseTopKStore(tk, losses, lossTerms, type, sweeps, ClassCount(datasetSpec)) : null;
        var teacherTerms = lossTerms.Where(l => l.NeedsTeacher).Select(l => l.Name).ToList();
        if (matchingDeclared) teacherTerms.Add(MatchingParser.TermName);
        if (teacher is null && selfTeacher is null && teacherTerms.Count > 0)
            Report(MissingTeacher, classLocation, type.Name, string.Join(", ", teacherTerms));
        if ((teacher ?? selfTeacher) is { } declared && teacherTerms.Count == 0 && lossTerms.Count > 0)
            Report(TeacherUnused, declared.AttributeLocation, type.Name);

        CalibrationSpec? calibration = null;
        if (calibrated is { } c)
        {
            int bins = c.NamedOr(nameof(CalibratedTeacherAttribute.Bins), AttributeDefaults.CalibratedTeacher.Bins);
            if (bins < 1) Report(ValueOutOfRange, c.NamedLocation(nameof(CalibratedTeacherAttribute.Bins)), "CalibratedTeacher.Bins", Format(bins), ">= 1");
            if (teacher is null && selfTeacher is null)
                Report(MissingRequirement, c.AttributeLocation, "[CalibratedTeacher]", "a model teacher: [Teacher(typeof(...))] or [SelfTeacher]");
            else if (datasetSpec is { ValidationFraction: 0 })
                Report(NeedsValidationSplit, c.AttributeLocation, "[CalibratedTeacher] (the temperature is fitted on held-out data)");
            calibration = new CalibrationSpec(bins);
        }
        if (teacherSpec is { Selection: not TeacherSelection.LastEpoch } && datasetSpec is { ValidationFraction: 0 } && teacher is { } ts)
            Report(NeedsValidationSplit, ts.NamedLocation(nameof(TeacherAttribute.Selection)), "Teacher.Selection = " + teacherSpec.Selection);

        var trainSpec = train is { } tr ? ParseTrain(tr) : TrainSpec.Default;
        LogitOptionsParser.CheckExperiment(losses, lossTerms, calibrated is not null, train, diagnostics);
        // SP, RKD and PKT compare the samples of a batch with each other: too few, and the term is 0 whatever the student does.
        if (matching is { } relational && MatchingParser.MinimumBatchSize(relational.Distance) is var minimum && minimum > 1
            && trainSpec.BatchSize > 0 && trainSpec.BatchSize < minimum && train is { } small)
            Report(BatchTooSmallForRelations, small.NamedLocation(nameof(TrainAttribute.BatchSize)), Format(trainSpec.BatchSize),
                relational.Distance.ToString(), Format(minimum), MatchingParser.SmallBatchReason(relational.Distance));
        var inputs = InputsParser.Parse(normalize, augment, datasetSpec, teacher, diagnostics);
        var replaced = new HashSet<LocationInfo>();
        var sweepSpec = SweepParser.Parse(sweeps, new SweepParser.Context
        {
            ClassName = type.Name, ClassLocation = classLocation, LossAttributes = losses, Losses = lossTerms, Teacher = teacher,
            SelfTeacher = selfTeacher is not null, TeacherSpec = teacherSpec, Dataset = datasetSpec, Train = train,
            MatchingDeclared = matchingDeclared, Matching = matching, Replaced = replaced,
        }, diagnostics);
        // A value an accepted axis replaces in every trial (KD0039 says so) is not an error: the trial's value is the one used.
        if (replaced.Count > 0)
        {
            diagnostics.RemoveAll(d => (d.Descriptor == AllWeightsZero || d.Descriptor == NegativeWeight || d.Descriptor == NonPositiveTemperature
                || d.Descriptor == NeedsValidationSplit) && d.Location is { } l && replaced.Contains(l));
        }
        ReportCollisions(type, classLocation, matchingDeclared, sweeps.Count > 0);
        var (stageSpecs, terms) = StageParser.Parse(stages, losses, matchingDeclared ? matchLayers : null, sweeps.Count > 0 ? sweeps[0] : null,
            MatchingParser.WithHiddenTerm(lossTerms, matching), diagnostics);

        // Emit only a complete experiment: attributes the compiler already rejects (an argument missing, a type that does
        // not bind) leave holes that would otherwise become code that does not compile.
        if (diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) || studentModel is null
            || lossTerms.Count == 0 || lossTerms.Count != losses.Count || (teacherTerms.Count > 0 && teacherSpec is null)
            || (teacher is not null && teacherSpec is null) || (matchingDeclared && matching is null))
            return null;
        var namespaceParts = new List<string>();
        for (var n = type.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace) namespaceParts.Insert(0, n.Name);
        string? ns = namespaceParts.Count == 0 ? null : string.Join(".", namespaceParts);
        var experiment = new ExperimentSpec(ns, type.Name, type.IsStatic, teacherSpec, studentModel, terms, trainSpec, datasetSpec, calibration, matching)
        {
            Stages = stageSpecs,
            TypeKeyword = typeKeyword,
            HintSuffix = HasCaseTwin(type, namespaceParts) ? "." + Hash((ns is null ? "" : ns + ".") + type.Name) : "",
            Inputs = inputs,
            TopKStore = topKStore,
            Teachers = namedTeachers,
            EnsembleWeights = ensembleWeights,
        };
        return SweepParser.Attach(experiment, sweepSpec);
    }

    private static int? ClassCount(DatasetSpec? dataset) => dataset?.Kind switch
    {
        DatasetKind.Digits or DatasetKind.FashionMnist or DatasetKind.Mnist => 10,
        DatasetKind.Synthetic => dataset.Synthetic?.Classes,
        _ => null,
    };

    private ModelSpec? ParseModel(AttributeArguments attribute, string role, INamedTypeSymbol experiment)
    {
        if (attribute.Positional(0) is not { } argument) return null; // missing or in error: the compiler already reports it
        var location = attribute.PositionalLocation(0);
        if (argument.IsNull)
        {
            Report(NullArgument, location, $"The model type of [{(role == "student" ? "Student" : "Teacher")}]",
                "write typeof(M) of a model M deriving from torch.nn.Module<Tensor, Tensor>");
            return null;
        }
        if (argument.Value is not ITypeSymbol typeSymbol || typeSymbol.TypeKind == TypeKind.Error)
            return null; // typeof(...) that does not bind: the compiler already reports it.
        if (typeSymbol is not INamedTypeSymbol model)
        {
            // An array, pointer or function pointer type: never a module.
            Report(NotATorchModule, location, role, typeSymbol.ToDisplayString());
            return null;
        }
        string display = model.ToDisplayString();
        if (model.IsUnboundGenericType)
        {
            Report(NoUsableConstructor, location, role, display, "is an open generic type");
            return null;
        }
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
        if (model.TypeArguments.Any(a => a is ITypeParameterSymbol))
        {
            Report(NoUsableConstructor, location, role, display, "is an open generic type");
            return null;
        }
        if (IsObsoleteError(model))
        {
            Report(NoUsableConstructor, location, role, display, "is obsolete ([Obsolete(..., error: true)]), so the generated code cannot name it");
            return null;
        }
        var publicConstructors = model.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        bool Shape(IMethodSymbol c) =>
            c.Parameters.Length == 2 && c.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Int32 && p.RefKind == RefKind.None);
        var suitable = publicConstructors.Where(c => Shape(c) || c.Parameters.Length == 0).ToList();
        if (suitable.Count == 0)
        {
            Report(NoUsableConstructor, location, role, display, "has no suitable public constructor");
            return null;
        }
        // An obsolete or experimental constructor would be a warning or an error in the generated file, not in the user's.
        var constructors = suitable.Where(c => !IsObsoleteOrExperimental(c)).ToList();
        if (constructors.Count == 0)
        {
            Report(NoUsableConstructor, location, role, display, "has only obsolete or experimental suitable constructors");
            return null;
        }
        bool takesShape = constructors.Any(Shape);
        var chosen = takesShape ? constructors.First(Shape) : constructors.First();
        var required = RequiredMembers(model);
        if (required.Count > 0 && !chosen.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute"))
        {
            Report(NoUsableConstructor, location, role, display,
                $"has required members ({string.Join(", ", required)}) that the generated 'new {model.Name}(...)' cannot set (or mark the constructor [SetsRequiredMembers])");
            return null;
        }
        if (Inaccessible(model, experiment) is { } problem)
        {
            Report(ModelNotAccessible, location, role, display, problem.Reason, problem.Fix);
            return null;
        }
        return new ModelSpec(model.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), display, takesShape)
        {
            TakesChannels = takesShape && chosen.Parameters[0].Name == "inputChannels",
        };
    }

    private static bool IsObsoleteOrExperimental(ISymbol symbol) => symbol.GetAttributes().Any(a =>
        a.AttributeClass?.ToDisplayString() is "System.ObsoleteAttribute" or "System.Diagnostics.CodeAnalysis.ExperimentalAttribute");

    private static bool IsObsoleteError(INamedTypeSymbol model)
    {
        for (ISymbol? current = model; current is INamedTypeSymbol type; current = type.ContainingType)
        {
            if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.ObsoleteAttribute"
                && a.ConstructorArguments.Length == 2 && a.ConstructorArguments[1].Value is true)) return true;
            if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Diagnostics.CodeAnalysis.ExperimentalAttribute")) return true;
        }
        return false;
    }

    private static List<string> RequiredMembers(INamedTypeSymbol model)
    {
        var names = new List<string>();
        for (var current = model; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if ((member is IPropertySymbol { IsRequired: true } || member is IFieldSymbol { IsRequired: true }) && !names.Contains(member.Name))
                    names.Add(member.Name);
            }
        }
        return names;
    }

    /// <summary>
    /// Why the generated code cannot use <paramref name="model"/> (null when it can): the generated <c>Run</c> and <c>Result</c> are
    /// public members of the experiment, so the model (its containing types and type arguments too) must be at least as accessible
    /// as the experiment, and visible from another file.
    /// </summary>
    private static (string Reason, string Fix)? Inaccessible(ITypeSymbol model, INamedTypeSymbol experiment) =>
        Offender(model, experiment) is { } found
            ? (SymbolEqualityComparer.Default.Equals(found.Type, model) ? found.Problem : $"uses '{found.Type.ToDisplayString()}', which {found.Problem}", found.Fix)
            : null;

    /// <summary>The type in <paramref name="type"/> (itself, a containing type, a type argument) the generated code cannot expose, and why.</summary>
    private static (ITypeSymbol Type, string Problem, string Fix)? Offender(ITypeSymbol type, INamedTypeSymbol experiment)
    {
        bool experimentPublic = experiment.DeclaredAccessibility == Accessibility.Public;
        if (type is IArrayTypeSymbol array) return Offender(array.ElementType, experiment);
        if (type is not INamedTypeSymbol named) return null;
        for (var current = named; current is not null; current = current.ContainingType)
        {
            if (current.IsFileLocal)
                return (current, "is file-local ('file'), and the generated code is in another file", "make it internal or public");
            switch (current.DeclaredAccessibility)
            {
                case Accessibility.Private:
                case Accessibility.Protected:
                case Accessibility.ProtectedAndInternal:
                    return (current, $"is {Word(current.DeclaredAccessibility)}, but the generated Run and Result of '{experiment.Name}' expose it",
                        experimentPublic ? "make it public" : "make it internal or public");
                case Accessibility.Internal:
                case Accessibility.ProtectedOrInternal:
                    if (experimentPublic)
                        return (current, $"is internal, but experiment '{experiment.Name}' is public and its generated Run and Result expose it",
                            "make it public, or the experiment internal");
                    break;
            }
            foreach (var argument in current.TypeArguments)
            {
                if (Offender(argument, experiment) is { } inner) return inner;
            }
        }
        return null;
    }

    private static string Word(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Private => "private",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };

    /// <summary>
    /// Reports a name of the experiment (its own, a member's, a type in scope named var) that the generated part would collide
    /// with: a nested type or member named like the class is an error (CS0542), a second member of the same name too (CS0102),
    /// and a type named var changes what every generated <c>var</c> local means.
    /// </summary>
    private void ReportCollisions(INamedTypeSymbol type, LocationInfo? classLocation, bool matching, bool swept)
    {
        var generated = new List<(string Name, string What)>
        {
            ("DeclaredSettings", "the property DeclaredSettings"), ("LossTermNames", "the property LossTermNames"), ("Run", "the method Run"),
            ("Terms", "the private method Terms"), ("EpochLosses", "the nested record struct EpochLosses"), ("Result", "the nested class Result"),
        };
        if (matching) generated.Add(("DeclaredMatching", "the property DeclaredMatching"));
        if (swept)
        {
            generated.AddRange(new[]
            {
                ("Trial", "the nested record Trial"), ("Grid", "the property Grid"), ("CreateGrid", "the private method CreateGrid"),
                ("Sweep", "the property Sweep"), ("SweepExperiment", "the private nested class SweepExperiment"),
            });
        }
        const string Locals = "the implicitly typed locals (var x = ...)";
        foreach (var (name, what) in generated)
        {
            if (type.Name == name) Report(GeneratedNameCollision, classLocation, name, what + " (a member cannot have its class's name)", type.Name);
        }
        if (type.Name == "var")
            Report(GeneratedNameCollision, classLocation, "var", Locals, type.Name);
        foreach (var member in type.GetMembers())
        {
            if (member.IsImplicitlyDeclared || member.Locations.FirstOrDefault() is not { IsInSource: true } location) continue;
            foreach (var (name, what) in generated)
            {
                if (member.Name == name) Report(GeneratedNameCollision, LocationInfo.From(location), name, what, type.Name);
            }
            if (member is INamedTypeSymbol && member.Name == "var") Report(GeneratedNameCollision, LocationInfo.From(location), "var", Locals, type.Name);
        }
        for (var ns = type.ContainingNamespace; ns is not null; ns = ns.ContainingNamespace)
        {
            if (type.Name != "var" && ns.GetTypeMembers("var").Length > 0)
            {
                Report(GeneratedNameCollision, classLocation, "var", Locals + $", since a type named var is declared in {(ns.IsGlobalNamespace ? "the global namespace" : "namespace " + ns.ToDisplayString())}", type.Name);
                break;
            }
        }
    }

    /// <summary>Whether another [Distillation] class in source has a full name equal to this one's but for case.</summary>
    private bool HasCaseTwin(INamedTypeSymbol type, List<string> namespaceParts)
    {
        IEnumerable<INamespaceSymbol> level = new[] { compilation.GlobalNamespace };
        foreach (string part in namespaceParts)
            level = level.SelectMany(n => n.GetNamespaceMembers().Where(m => string.Equals(m.Name, part, StringComparison.OrdinalIgnoreCase))).ToList();
        return level.SelectMany(n => n.GetTypeMembers())
            .Any(t => !SymbolEqualityComparer.Default.Equals(t, type) && string.Equals(t.Name, type.Name, StringComparison.OrdinalIgnoreCase)
                && t.DeclaringSyntaxReferences.Length > 0
                && t.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeNames.Distillation));
    }

    /// <summary>Eight hex digits of FNV-1a over <paramref name="text"/> (stable across runs and machines).</summary>
    private static string Hash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash ^= c;
            hash *= 16777619;
        }
        return hash.ToString("x8", CultureInfo.InvariantCulture);
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

    private TeacherSpec? ParseTeacher(AttributeArguments teacher, EquatableArray<LossTermSpec> losses, bool matchesLayers, INamedTypeSymbol experiment)
    {
        var model = ParseModel(teacher, "teacher", experiment);
        var defaults = AttributeDefaults.Teacher;
        string? checkpoint = teacher.NamedOr(nameof(TeacherAttribute.Checkpoint), defaults.Checkpoint);
        if (teacher.Has(nameof(TeacherAttribute.Checkpoint)))
            CheckPath(checkpoint, "Teacher.Checkpoint", teacher.NamedLocation(nameof(TeacherAttribute.Checkpoint)), "");
        int epochs = ParseTeacherEpochs(teacher, "Teacher.Epochs");
        double learningRate = teacher.NamedOr(nameof(TeacherAttribute.LearningRate), defaults.LearningRate);
        if (teacher.Has(nameof(TeacherAttribute.LearningRate)) && !(learningRate > 0 && !double.IsInfinity(learningRate)))
            Report(ValueOutOfRange, teacher.NamedLocation(nameof(TeacherAttribute.LearningRate)), "Teacher.LearningRate", Format(learningRate), "a finite number > 0 (leave it out to use Train.LearningRate)");
        var selection = EnumOption(teacher, nameof(TeacherAttribute.Selection), defaults.Selection);
        double stopAt = teacher.NamedOr(nameof(TeacherAttribute.StopAtAccuracy), defaults.StopAtAccuracy);
        if (teacher.Has(nameof(TeacherAttribute.StopAtAccuracy)) && !(stopAt > 0 && stopAt <= 1))
            Report(ValueOutOfRange, teacher.NamedLocation(nameof(TeacherAttribute.StopAtAccuracy)), "Teacher.StopAtAccuracy", Format(stopAt), "in (0, 1]");
        if (stopAt > 0 && selection != TeacherSelection.LastEpoch)
            Report(ConflictingOptions, teacher.NamedLocation(nameof(TeacherAttribute.StopAtAccuracy)), "Teacher.StopAtAccuracy", "Teacher.Selection",
                "a teacher stopped at a target accuracy keeps the weights it stopped with; remove one of them");
        if (model is not null && losses.Any(l => l.NeedsTeacherWeights) && teacher.Positional(0)?.Value is INamedTypeSymbol type
            && !HasLinearLayer(type, 0))
            Report(MissingRequirement, teacher.PositionalLocation(0),
                string.Join(" and ", losses.Where(l => l.NeedsTeacherWeights).Select(l => l.Name)),
                $"the teacher's logit layer (its last Linear layer), but '{type.ToDisplayString()}' has no Linear or Sequential field");
        var caching = EnumOption(teacher, nameof(TeacherAttribute.CacheOutputs), defaults.CacheOutputs);
        string? cacheDirectory = teacher.NamedOr(nameof(TeacherAttribute.CacheDirectory), defaults.CacheDirectory);
        if (teacher.Has(nameof(TeacherAttribute.CacheDirectory)))
        {
            if (caching is not (TeacherOutputCaching.Disk or TeacherOutputCaching.SparseTopK))
                Report(ConflictingOptions, teacher.NamedLocation(nameof(TeacherAttribute.CacheDirectory)), "Teacher.CacheDirectory", "CacheOutputs = " + caching,
                    "a cache folder is used only with CacheOutputs = TeacherOutputCaching.Disk or SparseTopK");
            else
                CheckPath(cacheDirectory, "Teacher.CacheDirectory", teacher.NamedLocation(nameof(TeacherAttribute.CacheDirectory)), "");
        }
        if (caching != TeacherOutputCaching.None && !matchesLayers && !losses.Any(l => l.NeedsTeacherLogits))
            Report(ConflictingOptions, teacher.NamedLocation(nameof(TeacherAttribute.CacheOutputs)), "Teacher.CacheOutputs", "the loss terms",
                "no term reads the teacher's outputs, so there is nothing to cache; remove CacheOutputs");
        string? weights = teacher.NamedOr(nameof(TeacherAttribute.Weights), defaults.Weights);
        if (teacher.Has(nameof(TeacherAttribute.Weights)))
        {
            CheckPath(weights, "Teacher.Weights", teacher.NamedLocation(nameof(TeacherAttribute.Weights)), "");
            // A teacher loaded from PyTorch's weights is not trained: the training options would be silently ignored.
            foreach (var option in new[] { nameof(TeacherAttribute.Checkpoint), nameof(TeacherAttribute.Epochs), nameof(TeacherAttribute.Selection),
                                           nameof(TeacherAttribute.StopAtAccuracy), nameof(TeacherAttribute.LearningRate) })
            {
                if (teacher.Has(option))
                    Report(ConflictingOptions, teacher.NamedLocation(option), "Teacher." + option, "Teacher.Weights",
                        "a teacher loaded from PyTorch weights is not trained here; remove the training option");
            }
        }
        return model is null ? null
            : new TeacherSpec(model, false, checkpoint, epochs, selection, stopAt, caching, cacheDirectory, learningRate) { Weights = weights };
    }

    /// <summary>
    /// The top-k teacher store (<c>CacheOutputs = TeacherOutputCaching.SparseTopK</c>, KD0057-KD0060): its options, and whether every term
    /// and feature that reads the teacher can be served by it, as the loss catalog's <see cref="TeacherInput"/> says. Null without it.
    /// </summary>
    private TopKStoreSpec? ParseTopKStore(AttributeArguments teacher, List<AttributeArguments> lossAttributes, EquatableArray<LossTermSpec> losses,
        INamedTypeSymbol type, List<AttributeArguments> sweeps, int? classCount)
    {
        string[] storeOptions = { nameof(TeacherAttribute.CacheTopK), nameof(TeacherAttribute.CacheRemainder) };
        var declared = teacher.Named(nameof(TeacherAttribute.CacheOutputs))?.Value;
        if (declared is not int caching || caching != (int)TeacherOutputCaching.SparseTopK)
        {
            string current = declared is int value
                ? Enum.IsDefined(typeof(TeacherOutputCaching), value) ? "TeacherOutputCaching." + (TeacherOutputCaching)value : Format(value)
                : "TeacherOutputCaching.None (the default)";
            foreach (string option in storeOptions.Where(teacher.Has))
                Report(TopKStoreOptionWithoutStore, teacher.NamedLocation(option), option, current);
            return null;
        }

        int k = teacher.NamedOr(nameof(TeacherAttribute.CacheTopK), AttributeDefaults.Teacher.CacheTopK);
        if (!teacher.Has(nameof(TeacherAttribute.CacheTopK)))
            Report(TopKStoreSizeInvalid, teacher.NamedLocation(nameof(TeacherAttribute.CacheOutputs)), "is not set");
        else if (k < 1)
            Report(TopKStoreSizeInvalid, teacher.NamedLocation(nameof(TeacherAttribute.CacheTopK)), "is " + Format(k));
        else if (classCount is { } classes && k >= classes)
            Report(TopKStoreKeepsEveryClass, teacher.NamedLocation(nameof(TeacherAttribute.CacheTopK)), Format(k), Format(classes));
        var remainder = EnumOption(teacher, nameof(TeacherAttribute.CacheRemainder), AttributeDefaults.Teacher.CacheRemainder);

        // One place decides what the store serves: a term that reads the teacher's logits needs a sparse form in the catalog.
        string sparseKinds = string.Join(", ", LossCatalog.Entries.Where(e => (e.Reads & TeacherInput.TopKLogits) != 0).Select(e => e.Kind));
        foreach (var loss in lossAttributes)
        {
            if (loss.Positional(0)?.Value is not int kind || !Enum.IsDefined(typeof(LossKind), kind)) continue;
            var reads = LossCatalog.Of((LossKind)kind).Reads;
            if ((reads & TeacherInput.Logits) != 0 && (reads & TeacherInput.TopKLogits) == 0)
                Report(TopKStoreCannotServe, loss.PositionalLocation(0), "The " + (LossKind)kind + " term", "the teacher's dense logits",
                    $"only {sparseKinds} can read the top k; remove the term, or cache the dense logits with CacheOutputs = TeacherOutputCaching.Disk");
            else if ((reads & TeacherInput.TopKLogits) != 0 && loss.NamedOr(nameof(LossAttribute.StandardizeLogits), false))
                Report(TopKStoreCannotServe, loss.NamedLocation(nameof(LossAttribute.StandardizeLogits)), (LossKind)kind + ".StandardizeLogits",
                    "the mean and deviation of all the teacher's logits of a sample",
                    "remove StandardizeLogits, or cache the dense logits with CacheOutputs = TeacherOutputCaching.Disk");
        }
        var matching = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeNames.MatchLayers);
        if (matching is not null)
            Report(TopKStoreCannotServe, new AttributeArguments(matching, cancellationToken).AttributeLocation, "[MatchLayers]",
                "the teacher's hidden states", "cache them with CacheOutputs = TeacherOutputCaching.Disk, which keeps the states the layer map reads");
        foreach (var sweep in sweeps)
        {
            if (sweep.Positional(0)?.Value is not string axis
                || axis is not (nameof(SweepKnob.Distance) or nameof(SweepKnob.Temperature) or nameof(SweepKnob.StudentTemperature))) continue;
            Report(TopKStoreCannotServe, sweep.PositionalLocation(0), $"[Sweep(SweepAxes.{axis}, ...)]",
                "the teacher's dense logits (its trials rewrite the KL term, which then reads them)",
                "sweep with CacheOutputs = TeacherOutputCaching.Disk, or without this axis");
        }

        var temperatures = losses.Where(l => LossCatalog.Of(l.Kind).SparseCall is not null).Select(l => l.Temperature).Distinct().OrderBy(t => t);
        string directory = teacher.NamedOr(nameof(TeacherAttribute.CacheDirectory), AttributeDefaults.Teacher.CacheDirectory) ?? ".kddsl-cache";
        return k >= 1 ? new TopKStoreSpec(k, remainder, new EquatableArray<double>(temperatures.ToArray()), directory) : null;
    }

    private TeacherSpec ParseSelfTeacher(AttributeArguments selfTeacher, ModelSpec student) =>
        new(student, true, null, ParseTeacherEpochs(selfTeacher, "SelfTeacher.Epochs"), TeacherSelection.LastEpoch, 0, TeacherOutputCaching.None, null);

    private int ParseTeacherEpochs(AttributeArguments teacher, string setting)
    {
        // [Teacher] and [SelfTeacher] both name it Epochs, with the same default (0 = Train.Epochs).
        int epochs = teacher.NamedOr(nameof(TeacherAttribute.Epochs), AttributeDefaults.Teacher.Epochs);
        if (epochs < 0)
            Report(ValueOutOfRange, teacher.NamedLocation(nameof(TeacherAttribute.Epochs)), setting, Format(epochs), "> 0, or 0 to use Train.Epochs");
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
    private EquatableArray<LossTermSpec> ParseLosses(List<AttributeArguments> attributes, string className, LocationInfo? classLocation, int? classCount)
    {
        if (attributes.Count == 0)
        {
            Report(NoLossTerm, classLocation, className);
            return EquatableArray<LossTermSpec>.Empty;
        }
        var terms = new List<LossTermSpec>();
        // One term per kind and teacher read: with several teachers a kind may appear once per teacher (and once for the ensemble).
        var seen = new HashSet<string>();
        var kindCounts = attributes.Select(a => a.Positional(0)?.Value).OfType<int>().GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        var defaults = AttributeDefaults.Loss;
        bool anyNegative = false;
        foreach (var loss in attributes)
        {
            if (loss.Positional(0)?.Value is not int kindValue) continue;
            // Also rejects LossTermSpec.HiddenStates: it is not a LossKind member.
            if (!Enum.IsDefined(typeof(LossKind), kindValue))
            {
                Report(UnknownEnumValue, loss.PositionalLocation(0), Format(kindValue), nameof(LossKind), Names<LossKind>());
                continue;
            }
            var kind = (LossKind)kindValue;
            string name = kind.ToString();
            string? readTeacher = loss.NamedOr<string?>(nameof(LossAttribute.Teacher), null);
            if (!seen.Add(name + "\0" + readTeacher))
                Report(DuplicateLossTerm, loss.PositionalLocation(0), name);
            // A kind declared for more than one teacher: the term naming a teacher is named after it too (KlDivergenceSmall).
            string? nameOverride = readTeacher is not null && kindCounts[kindValue] > 1 ? name + TeacherEnsembleParser.IdentifierPart(readTeacher) : null;

            double weight = loss.NamedOr(nameof(LossAttribute.Weight), defaults.Weight);
            if (!(weight >= 0) || double.IsInfinity(weight))
            {
                Report(NegativeWeight, loss.NamedLocation(nameof(LossAttribute.Weight)), name, Format(weight));
                anyNegative = true;
            }
            var entry = LossCatalog.Of(kind);
            foreach (var option in LossCatalog.Options)
            {
                if (loss.Has(option) && !entry.Options.Contains(option))
                    Report(OptionNotValidForLoss, loss.NamedLocation(option), option, name, WhereOptionApplies(option));
            }

            double temperature = Positive(loss, nameof(LossAttribute.Temperature), name, defaults.Temperature);
            // The divergences' student temperature follows the teacher's unless set; the soft-target kinds use the plain student softmax.
            double studentTemperature = Positive(loss, nameof(LossAttribute.StudentTemperature), name,
                entry.StudentTemperatureFollowsTeacher ? temperature : defaults.StudentTemperature);
            double similarityTemperature = Positive(loss, nameof(LossAttribute.SimilarityTemperature), name, defaults.SimilarityTemperature);
            var reduction = EnumOption(loss, nameof(LossAttribute.Reduction), defaults.Reduction);
            var smoothingForm = EnumOption(loss, nameof(LossAttribute.SmoothingForm), defaults.SmoothingForm);
            var tfKdForm = EnumOption(loss, nameof(LossAttribute.TfKdForm), defaults.TfKdForm);
            var topKForm = EnumOption(loss, nameof(LossAttribute.TopKForm), defaults.TopKForm);
            bool scale = loss.NamedOr(nameof(LossAttribute.ScaleByTemperatureSquared), defaults.ScaleByTemperatureSquared);

            double epsilon = loss.NamedOr(nameof(LossAttribute.Epsilon), defaults.Epsilon);
            if (!(epsilon > 0 && epsilon < 1))
                Report(ValueOutOfRange, loss.NamedLocation(nameof(LossAttribute.Epsilon)), name + ".Epsilon", Format(epsilon), "in (0, 1)");
            double target = loss.NamedOr(nameof(LossAttribute.TargetProbability), defaults.TargetProbability);
            if (!(target > 0 && target <= 1))
                Report(ValueOutOfRange, loss.NamedLocation(nameof(LossAttribute.TargetProbability)), name + ".TargetProbability", Format(target), "in (0, 1]");
            int topK = loss.NamedOr(nameof(LossAttribute.TopK), defaults.TopK);
            if (topK < 1)
                Report(ValueOutOfRange, loss.NamedLocation(nameof(LossAttribute.TopK)), name + ".TopK", Format(topK), ">= 1");
            else if (classCount is { } k && topK > k)
                Report(ValueOutOfRange, loss.NamedLocation(nameof(LossAttribute.TopK)), name + ".TopK", Format(topK), $"at most the data set's {Format(k)} classes");

            terms.Add(LogitOptionsParser.Read(new LossTermSpec(kind, weight, temperature, studentTemperature, reduction, scale, epsilon, smoothingForm, target,
                tfKdForm, topK, topKForm, similarityTemperature), loss, diagnostics) with { NameOverride = nameOverride });
        }
        if (!anyNegative && terms.Count > 0 && terms.All(term => term.Weight == 0))
            Report(AllWeightsZero, classLocation, className);
        return new EquatableArray<LossTermSpec>(terms);
    }

    private static string WhereOptionApplies(string option)
    {
        return $"it applies only to {string.Join(", ", LossCatalog.Accepting(option))}; remove the argument";
    }

    private double Positive(AttributeArguments loss, string option, string kind, double fallback)
    {
        if (!loss.Has(option)) return fallback;
        double value = loss.NamedOr(option, fallback);
        if (!(value > 0) || double.IsInfinity(value))
            Report(NonPositiveTemperature, loss.NamedLocation(option), option, kind, Format(value));
        return value;
    }

    /// <summary>The enum option <paramref name="option"/>, or <paramref name="fallback"/> (the attribute's default) when unset or undefined.</summary>
    private TEnum EnumOption<TEnum>(AttributeArguments attribute, string option, TEnum fallback) where TEnum : struct, Enum
    {
        if (attribute.Named(option)?.Value is not int value) return fallback;
        if (Enum.IsDefined(typeof(TEnum), value)) return (TEnum)Enum.ToObject(typeof(TEnum), value);
        Report(UnknownEnumValue, attribute.NamedLocation(option), Format(value), typeof(TEnum).Name, Names<TEnum>());
        return fallback;
    }

    private TrainSpec ParseTrain(AttributeArguments train)
    {
        var defaults = TrainSpec.Default;
        int epochs = train.NamedOr(nameof(TrainAttribute.Epochs), defaults.Epochs);
        if (epochs <= 0) Report(ValueOutOfRange, train.NamedLocation(nameof(TrainAttribute.Epochs)), "Train.Epochs", Format(epochs), "> 0");
        int batchSize = train.NamedOr(nameof(TrainAttribute.BatchSize), defaults.BatchSize);
        if (batchSize <= 0) Report(ValueOutOfRange, train.NamedLocation(nameof(TrainAttribute.BatchSize)), "Train.BatchSize", Format(batchSize), "> 0");
        double learningRate = train.NamedOr(nameof(TrainAttribute.LearningRate), defaults.LearningRate);
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            Report(ValueOutOfRange, train.NamedLocation(nameof(TrainAttribute.LearningRate)), "Train.LearningRate", Format(learningRate), "a finite number > 0");
        int seed = train.NamedOr(nameof(TrainAttribute.Seed), defaults.Seed);

        var optimizer = EnumOption(train, nameof(TrainAttribute.Optimizer), defaults.Optimizer);
        double momentum = train.NamedOr(nameof(TrainAttribute.Momentum), defaults.Momentum);
        if (train.Has(nameof(TrainAttribute.Momentum)))
        {
            if (!(momentum >= 0 && momentum < 1))
                Report(ValueOutOfRange, train.NamedLocation(nameof(TrainAttribute.Momentum)), "Train.Momentum", Format(momentum), "in [0, 1)");
            else if (optimizer != OptimizerKind.Sgd)
                Report(ConflictingOptions, train.NamedLocation(nameof(TrainAttribute.Momentum)), "Train.Momentum", "Optimizer = " + optimizer,
                    "momentum applies only to OptimizerKind.Sgd (Adam keeps its own moment estimates); remove Momentum or use Sgd");
        }
        double weightDecay = train.NamedOr(nameof(TrainAttribute.WeightDecay), defaults.WeightDecay);
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            Report(ValueOutOfRange, train.NamedLocation(nameof(TrainAttribute.WeightDecay)), "Train.WeightDecay", Format(weightDecay), "a finite number >= 0");
        bool baseline = train.NamedOr(nameof(TrainAttribute.StudentBaseline), defaults.StudentBaseline);

        int accumulation = train.NamedOr(nameof(TrainAttribute.AccumulationSteps), defaults.AccumulationSteps);
        if (accumulation < 1)
            Report(ValueOutOfRange, train.NamedLocation(nameof(TrainAttribute.AccumulationSteps)), "Train.AccumulationSteps", Format(accumulation), ">= 1");
        double clip = train.NamedOr(nameof(TrainAttribute.ClipGradientNorm), defaults.ClipGradientNorm);
        if (!(clip >= 0) || double.IsInfinity(clip))
            Report(ValueOutOfRange, train.NamedLocation(nameof(TrainAttribute.ClipGradientNorm)), "Train.ClipGradientNorm", Format(clip), "a finite number >= 0 (0 = no clipping)");
        var schedule = EnumOption(train, nameof(TrainAttribute.Schedule), defaults.Schedule);
        int warmup = train.NamedOr(nameof(TrainAttribute.WarmupSteps), defaults.WarmupSteps);
        if (warmup < 0)
            Report(ValueOutOfRange, train.NamedLocation(nameof(TrainAttribute.WarmupSteps)), "Train.WarmupSteps", Format(warmup), ">= 0");
        int decayEpochs = train.NamedOr(nameof(TrainAttribute.StepDecayEpochs), defaults.StepDecayEpochs);
        double decayFactor = train.NamedOr(nameof(TrainAttribute.StepDecayFactor), defaults.StepDecayFactor);
        foreach (var option in new[] { nameof(TrainAttribute.StepDecayEpochs), nameof(TrainAttribute.StepDecayFactor) })
        {
            if (train.Has(option) && schedule != LearningRateSchedule.StepDecay)
                Report(ConflictingOptions, train.NamedLocation(option), "Train." + option, "Schedule = " + schedule,
                    "it applies only to LearningRateSchedule.StepDecay");
        }
        if (decayEpochs < 1)
            Report(ValueOutOfRange, train.NamedLocation(nameof(TrainAttribute.StepDecayEpochs)), "Train.StepDecayEpochs", Format(decayEpochs), ">= 1");
        if (!(decayFactor > 0 && decayFactor <= 1))
            Report(ValueOutOfRange, train.NamedLocation(nameof(TrainAttribute.StepDecayFactor)), "Train.StepDecayFactor", Format(decayFactor), "in (0, 1]");
        string? checkpoint = train.NamedOr(nameof(TrainAttribute.Checkpoint), defaults.Checkpoint);
        if (train.Has(nameof(TrainAttribute.Checkpoint)))
            CheckPath(checkpoint, "Train.Checkpoint", train.NamedLocation(nameof(TrainAttribute.Checkpoint)), "");
        return new TrainSpec(epochs, batchSize, learningRate, seed, optimizer, momentum, weightDecay, baseline,
            accumulation, clip, schedule, warmup, decayEpochs, decayFactor, checkpoint) { Arguments = train.Declared() };
    }

    private DatasetSpec? ParseDataset(AttributeArguments dataset, AttributeArguments? synthetic)
    {
        if (dataset.Positional(0)?.Value is not int kindValue) return null;
        if (!Enum.IsDefined(typeof(DatasetKind), kindValue))
        {
            Report(UnknownEnumValue, dataset.PositionalLocation(0), Format(kindValue), nameof(DatasetKind), Names<DatasetKind>());
            return null;
        }
        var kind = (DatasetKind)kindValue;
        string? path = dataset.NamedOr(nameof(DatasetAttribute.Path), AttributeDefaults.Dataset.Path);
        if (dataset.Has(nameof(DatasetAttribute.Path)))
        {
            if (kind == DatasetKind.Synthetic)
                Report(ConflictingOptions, dataset.NamedLocation(nameof(DatasetAttribute.Path)), "Dataset.Path", "DatasetKind.Synthetic", "synthetic data is generated, not read; remove Path");
            else
                CheckPath(path, "Dataset.Path", dataset.NamedLocation(nameof(DatasetAttribute.Path)), "");
        }
        else if (kind == DatasetKind.Mnist)
            CheckPath(null, "Dataset.Path", dataset.AttributeLocation, " (MNIST has no default location; give the folder holding its IDX files)");
        int trainLimit = dataset.NamedOr(nameof(DatasetAttribute.TrainLimit), AttributeDefaults.Dataset.TrainLimit);
        if (trainLimit < 0)
            Report(ValueOutOfRange, dataset.NamedLocation(nameof(DatasetAttribute.TrainLimit)), "Dataset.TrainLimit", Format(trainLimit), ">= 0 (0 = all samples)");
        int testLimit = dataset.NamedOr(nameof(DatasetAttribute.TestLimit), AttributeDefaults.Dataset.TestLimit);
        if (testLimit < 0)
            Report(ValueOutOfRange, dataset.NamedLocation(nameof(DatasetAttribute.TestLimit)), "Dataset.TestLimit", Format(testLimit), ">= 0 (0 = all samples)");
        double validation = dataset.NamedOr(nameof(DatasetAttribute.ValidationFraction), AttributeDefaults.Dataset.ValidationFraction);
        if (!(validation >= 0 && validation < 1))
            Report(ValueOutOfRange, dataset.NamedLocation(nameof(DatasetAttribute.ValidationFraction)), "Dataset.ValidationFraction", Format(validation), "in [0, 1)");
        var syntheticSpec = kind == DatasetKind.Synthetic ? ParseSynthetic(synthetic) : null;
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
        int train = Positive(nameof(SyntheticDataAttribute.TrainSamples), defaults.TrainSamples, 1);
        int test = Positive(nameof(SyntheticDataAttribute.TestSamples), defaults.TestSamples, 1);
        int classes = Positive(nameof(SyntheticDataAttribute.Classes), defaults.Classes, 2);
        int groups = Positive(nameof(SyntheticDataAttribute.Groups), defaults.Groups, 1);
        if (groups > classes)
            Report(ValueOutOfRange, a.NamedLocation(nameof(SyntheticDataAttribute.Groups)), "SyntheticData.Groups", Format(groups), $"at most Classes ({Format(classes)})");
        int features = a.NamedOr(nameof(SyntheticDataAttribute.Features), defaults.Features);
        if (features < (long)classes + groups)
            Report(ValueOutOfRange, a.NamedLocation(nameof(SyntheticDataAttribute.Features)), "SyntheticData.Features", Format(features),
                $"at least Classes + Groups ({((long)classes + groups).ToString(CultureInfo.InvariantCulture)}), one orthonormal direction each");
        double tau = a.NamedOr(nameof(SyntheticDataAttribute.ClassCorrelation), defaults.ClassCorrelation);
        if (!(tau >= 0 && tau <= 1))
            Report(ValueOutOfRange, a.NamedLocation(nameof(SyntheticDataAttribute.ClassCorrelation)), "SyntheticData.ClassCorrelation", Format(tau), "in [0, 1]");
        int seed = a.NamedOr(nameof(SyntheticDataAttribute.Seed), defaults.Seed);
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
