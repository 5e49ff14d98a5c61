//! The knowledge contest's question sets: multiple-choice questions with an explanation,
//! one set per theme day (or for the whole week), a time limit per question, and
//! `validate()` returning every problem with a stable rule code. What a visitor may see of a
//! question before answering it ([`AskedQuestion`]) is a separate type without the answer.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::exhibitor::Slug;
use crate::text::find_format_character;

/// Question sets at most.
pub const MAX_SETS: usize = 50;
/// Questions in one set at most.
pub const MAX_QUESTIONS: usize = 50;
/// Choices of one question: at least two, at most six.
pub const MIN_CHOICES: usize = 2;
pub const MAX_CHOICES: usize = 6;
/// The shortest and the longest time allowed for one question, in seconds.
pub const MIN_SECONDS: u16 = 5;
pub const MAX_SECONDS: u16 = 300;
/// Characters of a title, a prompt, a choice and an explanation at most.
pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_PROMPT_CHARS: usize = 500;
pub const MAX_CHOICE_CHARS: usize = 200;
pub const MAX_EXPLANATION_CHARS: usize = 1_000;
/// Points for a correct answer.
pub const POINTS_PER_ANSWER: u32 = 10;

/// One multiple-choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub prompt: String,
    /// The choices, in the order shown.
    pub choices: Vec<String>,
    /// The index of the correct choice. Never sent to a visitor before they answer.
    pub answer: usize,
    /// Why the answer is right, shown after answering.
    pub explanation: String,
}

/// A set of questions played as one round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuestionSet {
    /// Slug-like: 3 to 48 of `a-z`, `0-9`, inner `-`.
    pub id: String,
    pub title: String,
    /// The theme day the set belongs to (a programme theme day's id); none for the week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme_day: Option<String>,
    /// Seconds allowed for each question.
    pub seconds_per_question: u16,
    pub questions: Vec<Question>,
}

/// A question as a visitor sees it while it is asked: no answer, no explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AskedQuestion {
    /// Its position in the set, from 0.
    pub index: usize,
    /// How many questions the set has.
    pub of: usize,
    pub prompt: String,
    pub choices: Vec<String>,
    /// Seconds allowed to answer it.
    pub seconds: u16,
}

impl QuestionSet {
    /// Question `index` without its answer, if there is one.
    pub fn ask(&self, index: usize) -> Option<AskedQuestion> {
        let question = self.questions.get(index)?;
        Some(AskedQuestion {
            index,
            of: self.questions.len(),
            prompt: question.prompt.clone(),
            choices: question.choices.clone(),
            seconds: self.seconds_per_question,
        })
    }
}

/// Which rule a [`ContestProblem`] breaks; a stable code for clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContestRule {
    /// The id is not slug-like.
    Id,
    /// A title, prompt, choice or explanation is empty, too long or not plain text.
    Text,
    /// No question, or more than [`MAX_QUESTIONS`].
    Questions,
    /// Fewer than two or more than six choices, or two choices alike.
    Choices,
    /// The answer is not one of the choices.
    Answer,
    /// The time per question is outside 5 to 300 seconds.
    Seconds,
    /// The theme day is not one of the programme's (the server checks this).
    ThemeDay,
    /// There are [`MAX_SETS`] sets already (the server checks this).
    TooMany,
}

/// A rule a question set breaks, with where and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContestProblem {
    pub rule: ContestRule,
    /// The path of the value, such as `questions[2].answer`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ContestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

fn problem(rule: ContestRule, field: String, message: String) -> ContestProblem {
    ContestProblem {
        rule,
        field,
        message,
    }
}

/// Checks a piece of text: not blank, at most `max` characters, one line unless `multiline`,
/// no control or invisible format characters.
fn check_text(
    problems: &mut Vec<ContestProblem>,
    field: String,
    text: &str,
    max: usize,
    multiline: bool,
) {
    let message = if text.trim().is_empty() {
        Some("must not be empty".to_owned())
    } else if text.chars().count() > max {
        Some(format!("must be at most {max} characters"))
    } else if text
        .chars()
        .any(|c| c.is_control() && !(multiline && c == '\n'))
    {
        Some("must be plain text without control characters".to_owned())
    } else {
        find_format_character(text).map(|_| crate::text::FORMAT_CHARACTER_MESSAGE.to_owned())
    };
    if let Some(message) = message {
        problems.push(problem(ContestRule::Text, field, message));
    }
}

impl QuestionSet {
    /// Every rule the set breaks (empty when it keeps them all):
    /// 1. `id` is slug-like (`id`);
    /// 2. the title, prompts, choices and explanations are plain text within their
    ///    lengths (`text`);
    /// 3. there are 1 to [`MAX_QUESTIONS`] questions (`questions`);
    /// 4. each question has 2 to 6 distinct choices (`choices`) and its answer is one of
    ///    them (`answer`);
    /// 5. the time per question is 5 to 300 seconds (`seconds`).
    ///
    /// Whether `theme_day` names a theme day of the programme is the server's check.
    pub fn validate(&self) -> Vec<ContestProblem> {
        let mut problems = Vec::new();
        if let Err(reason) = Slug::parse(&self.id) {
            problems.push(problem(ContestRule::Id, "id".into(), reason));
        }
        check_text(
            &mut problems,
            "title".into(),
            &self.title,
            MAX_TITLE_CHARS,
            false,
        );
        if !(MIN_SECONDS..=MAX_SECONDS).contains(&self.seconds_per_question) {
            problems.push(problem(
                ContestRule::Seconds,
                "seconds_per_question".into(),
                format!("must be {MIN_SECONDS} to {MAX_SECONDS} seconds"),
            ));
        }
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            problems.push(problem(
                ContestRule::Questions,
                "questions".into(),
                format!(
                    "a set has 1 to {MAX_QUESTIONS} questions, not {}",
                    self.questions.len()
                ),
            ));
        }
        for (i, question) in self.questions.iter().take(MAX_QUESTIONS).enumerate() {
            let at = |field: &str| format!("questions[{i}].{field}");
            check_text(
                &mut problems,
                at("prompt"),
                &question.prompt,
                MAX_PROMPT_CHARS,
                true,
            );
            check_text(
                &mut problems,
                at("explanation"),
                &question.explanation,
                MAX_EXPLANATION_CHARS,
                true,
            );
            let count = question.choices.len();
            if !(MIN_CHOICES..=MAX_CHOICES).contains(&count) {
                problems.push(problem(
                    ContestRule::Choices,
                    at("choices"),
                    format!("a question has {MIN_CHOICES} to {MAX_CHOICES} choices, not {count}"),
                ));
            }
            let mut seen = HashSet::new();
            for (j, choice) in question.choices.iter().take(MAX_CHOICES).enumerate() {
                check_text(
                    &mut problems,
                    format!("questions[{i}].choices[{j}]"),
                    choice,
                    MAX_CHOICE_CHARS,
                    false,
                );
                if !seen.insert(choice.trim().to_lowercase()) {
                    problems.push(problem(
                        ContestRule::Choices,
                        format!("questions[{i}].choices[{j}]"),
                        "repeats an earlier choice".into(),
                    ));
                }
            }
            if question.answer >= count {
                problems.push(problem(
                    ContestRule::Answer,
                    at("answer"),
                    format!(
                        "must be the index of a choice (0 to {}), not {}",
                        count.saturating_sub(1),
                        question.answer
                    ),
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> QuestionSet {
        QuestionSet {
            id: "campus-quiz".into(),
            title: "Campus Day quiz".into(),
            theme_day: Some("campus-day".into()),
            seconds_per_question: 20,
            questions: vec![Question {
                prompt: "Which password is strongest?".into(),
                choices: vec!["123456".into(), "a long passphrase".into()],
                answer: 1,
                explanation: "Length beats complexity.".into(),
            }],
        }
    }

    fn rules(set: &QuestionSet) -> Vec<(ContestRule, String)> {
        set.validate()
            .into_iter()
            .map(|p| (p.rule, p.field))
            .collect()
    }

    #[test]
    fn a_valid_set_has_no_problem() {
        assert_eq!(rules(&valid()), vec![]);
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut set = valid();
        set.id = "No".into();
        set.title = " ".into();
        set.seconds_per_question = 4;
        set.questions[0].answer = 2;
        set.questions[0].choices.push("A LONG passphrase ".into());
        set.questions[0].explanation = "bad\u{202e}".into();
        assert_eq!(
            rules(&set),
            vec![
                (ContestRule::Id, "id".into()),
                (ContestRule::Text, "title".into()),
                (ContestRule::Seconds, "seconds_per_question".into()),
                (ContestRule::Text, "questions[0].explanation".into()),
                (ContestRule::Choices, "questions[0].choices[2]".into()),
            ]
        );
        set.questions[0].answer = 3;
        assert!(rules(&set).contains(&(ContestRule::Answer, "questions[0].answer".into())));
    }

    #[test]
    fn too_few_or_too_many_questions_and_choices() {
        let mut set = valid();
        set.questions.clear();
        assert_eq!(
            rules(&set),
            vec![(ContestRule::Questions, "questions".into())]
        );
        let mut set = valid();
        set.questions[0].choices.truncate(1);
        set.questions[0].answer = 0;
        assert_eq!(
            rules(&set),
            vec![(ContestRule::Choices, "questions[0].choices".into())]
        );
        let mut set = valid();
        set.questions = vec![set.questions[0].clone(); MAX_QUESTIONS + 1];
        assert_eq!(
            rules(&set),
            vec![(ContestRule::Questions, "questions".into())]
        );
    }

    #[test]
    fn an_asked_question_carries_no_answer() {
        let asked = valid().ask(0).unwrap();
        let json = serde_json::to_value(&asked).unwrap();
        assert!(json.get("answer").is_none() && json.get("explanation").is_none());
        assert_eq!((asked.index, asked.of, asked.seconds), (0, 1, 20));
        assert!(valid().ask(1).is_none());
    }
}
