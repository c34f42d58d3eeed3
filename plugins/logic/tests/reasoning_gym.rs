//! Tasks shaped like Reasoning Gym's dataset entries (its metadata keys, its answer text),
//! written by hand: `verify` must accept their answers and reject wrong ones.

use proctor_logic::{LogicStatus, verify};
use serde_json::{Value, json};

/// Verifies `response` for an entry with `metadata` and reference `answer`.
fn check(metadata: Value, answer: &str, response: &str) -> (f64, LogicStatus) {
    let verdict = verify("", Some(answer), &metadata.to_string(), response);
    (verdict.score, verdict.status)
}

fn accepts(metadata: Value, answer: &str, responses: &[&str]) {
    for response in responses {
        let (score, status) = check(metadata.clone(), answer, response);
        assert_eq!(
            score, 1.0,
            "{metadata}: `{response}` scored {score} ({status:?})"
        );
    }
}

fn rejects(metadata: Value, answer: &str, responses: &[&str]) {
    for response in responses {
        let (score, status) = check(metadata.clone(), answer, response);
        assert!(score < 1.0, "{metadata}: `{response}` was accepted");
        assert_ne!(status, LogicStatus::InvalidTask, "{metadata}: `{response}`");
    }
}

#[test]
fn countdown_and_puzzle24() {
    let meta = json!({"source_dataset": "countdown", "numbers": [3, 7, 25, 50], "target": 350, "expression": "50*7"});
    accepts(
        meta.clone(),
        "50*7",
        &["50*7", "7 * 50", "[50 × 7]", "50*7 = 350"],
    );
    rejects(
        meta,
        "50*7",
        &["50*50", "(25+50)*3", "50*7*1", "(25 * 3 - 25) * 7"],
    );
    let meta =
        json!({"source_dataset": "puzzle24", "numbers": [4, 6, 1, 1], "expression": "4*6*1*1"});
    accepts(
        meta.clone(),
        "4*6*1*1",
        &["4*6*1*1", "(4*6)/(1*1)", "6 × 4 × 1 ÷ 1"],
    );
    rejects(meta, "4*6*1*1", &["4*6", "4*6*1*1*1", "4+6+1+1"]);
}

#[test]
fn knights_and_knaves() {
    let meta = json!({
        "source_dataset": "knights_knaves",
        "statements": [["lying", 1], ["telling-truth", 0]],
        "solution": [false, true],
        "names": ["Zoey", "Riley"],
        "knight_knave_terms": {"knight": "pioneer", "knave": "laggard", "a_knight": "a pioneer", "a_knave": "a laggard"},
    });
    let answer = "Zoey is a laggard, and Riley is a pioneer.";
    accepts(
        meta.clone(),
        answer,
        &[
            answer,
            "Riley is a pioneer and Zoey is a laggard",
            "zoey: laggard, riley: pioneer",
        ],
    );
    rejects(
        meta.clone(),
        answer,
        &["Zoey is a pioneer, and Riley is a laggard."],
    );
    let (score, status) = check(meta, answer, "Zoey is a laggard, and Riley is a laggard.");
    assert_eq!((score, status), (0.5, LogicStatus::Partial));
}

#[test]
fn sudoku_grids() {
    let solution = json!([[1, 2, 3, 4], [3, 4, 1, 2], [2, 1, 4, 3], [4, 3, 2, 1]]);
    let puzzle = json!([[0, 2, 0, 4], [3, 0, 1, 0], [0, 1, 0, 3], [4, 0, 2, 0]]);
    let meta = json!({"source_dataset": "mini_sudoku", "puzzle": puzzle, "solution": solution});
    let answer = "1 2 3 4\n3 4 1 2\n2 1 4 3\n4 3 2 1";
    accepts(
        meta.clone(),
        answer,
        &[
            answer,
            "1234\n3412\n2143\n4321",
            "[[1,2,3,4],[3,4,1,2],[2,1,4,3],[4,3,2,1]]",
        ],
    );
    rejects(meta, answer, &["2 1 3 4\n3 4 1 2\n2 1 4 3\n4 3 2 1"]);
}

#[test]
fn n_queens_board() {
    let meta = json!({
        "source_dataset": "n_queens",
        "puzzle": [["_", "Q", "_", "_"], ["_", "_", "_", "_"], ["_", "_", "_", "_"], ["_", "_", "Q", "_"]],
        "num_removed": 2,
    });
    let answer = "_ Q _ _\n_ _ _ Q\nQ _ _ _\n_ _ Q _";
    accepts(meta.clone(), answer, &[answer]);
    rejects(
        meta,
        answer,
        &[
            "_ Q _ _\nQ _ _ _\n_ _ _ Q\n_ _ Q _",
            "Q _ _ _\n_ _ _ Q\n_ Q _ _\n_ _ Q _",
        ],
    );
}

#[test]
fn graph_colouring() {
    let meta = json!({
        "source_dataset": "graph_color",
        "possible_answer": {"0": 1, "1": 2, "2": 1},
        "puzzle": {"vertices": [0, 1, 2], "edges": [[0, 1], [1, 2]], "num_colors": 3, "color_options": [1, 2, 3]},
    });
    accepts(
        meta.clone(),
        "",
        &[r#"{"0": 1, "1": 2, "2": 1}"#, r#"{"0": 3, "1": 1, "2": 2}"#],
    );
    rejects(
        meta,
        "",
        &[
            r#"{"0": 1, "1": 1, "2": 2}"#,
            r#"{"0": 1, "1": 2}"#,
            r#"{"0": 4, "1": 2, "2": 1}"#,
        ],
    );
}

#[test]
fn paths_and_mazes() {
    let meta = json!({"source_dataset": "shortest_path", "matrix": [["*", "O", "O"], ["X", "X", "O"], ["#", "O", "O"]], "solution": []});
    let answer = "right right down down left left";
    accepts(meta.clone(), answer, &[answer]);
    rejects(
        meta.clone(),
        answer,
        &["down down", "right right down down left"],
    );
    let meta = json!({"source_dataset": "shortest_path", "matrix": [["*", "X"], ["X", "#"]]});
    accepts(meta, "infeasible", &["infeasible"]);
    let meta = json!({
        "source_dataset": "maze", "grid": ["#####", "#S..#", "###.#", "#G..#", "#####"],
        "shortest_path_length": 6, "start": "S", "goal": "G", "wall": "#", "path": ".",
    });
    accepts(meta.clone(), "6", &["6"]);
    rejects(meta, "6", &["5"]);
}

#[test]
fn tower_of_hanoi_moves() {
    let meta = json!({"source_dataset": "tower_of_hanoi", "num_disks": 2, "num_pegs": 3, "start_peg": 1, "target_peg": 3, "solution_length": 3});
    let answer = "Move disk 1 from Peg 1 to Peg 2\nMove disk 2 from Peg 1 to Peg 3\nMove disk 1 from Peg 2 to Peg 3";
    accepts(meta.clone(), answer, &[answer]);
    rejects(
        meta,
        answer,
        &[
            "Move disk 2 from Peg 1 to Peg 3",
            "Move disk 1 from Peg 1 to Peg 3\nMove disk 2 from Peg 1 to Peg 3",
        ],
    );
}

#[test]
fn cryptarithm_mapping() {
    let meta = json!({
        "source_dataset": "cryptarithm", "words_letters": ["ABC", "DEF"], "result_letters": "EGH",
        "letter_to_digit": {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 9},
    });
    let answer = "A=1,B=2,C=3,D=4,E=5,F=6,G=7,H=9";
    accepts(
        meta.clone(),
        answer,
        &[answer, "H=9, G=7, F=6, E=5, D=4, C=3, B=2, A=1"],
    );
    rejects(meta, answer, &["A=2,B=1,C=3,D=4,E=5,F=6,G=7,H=9"]);
}

#[test]
fn answer_only_families_fall_back_to_the_reference() {
    let meta = json!({"source_dataset": "zebra_puzzles", "difficulty": {"num_people": 4}});
    accepts(meta.clone(), "Alice", &["alice", "Alice"]);
    rejects(meta, "Alice", &["Bob"]);
    let meta = json!({"source_dataset": "game_of_life", "grid_size_x": 3, "grid_size_y": 3});
    let answer = "[[0,1,0],[0,1,0],[0,1,0]]";
    accepts(
        meta.clone(),
        answer,
        &["[[0, 1, 0], [0, 1, 0], [0, 1, 0]]", "010\n010\n010"],
    );
    rejects(meta.clone(), answer, &["[[0,0,0],[1,1,1],[0,0,0]]"]);
    // Per-cell partial credit, as Reasoning Gym gives: 8 of 9 cells right.
    let (score, status) = check(meta, answer, "[[1,1,0],[0,1,0],[0,1,0]]");
    assert!((score - 8.0 / 9.0).abs() < 1e-12 && status == LogicStatus::Partial);
    let meta = json!({"source_dataset": "futoshiki", "constraints": {"((0, 0), (0, 1))": "<"}});
    accepts(meta, "1 < 2\n2   1", &["1 < 2\n2   1", "12\n21"]);
}

#[test]
fn one_word_and_number_answers() {
    accepts(
        json!({"source_dataset": "syllogism", "premise1": "All cats are mammals", "is_valid": false}),
        "No",
        &["No", "no"],
    );
    rejects(
        json!({"source_dataset": "syllogism", "is_valid": false}),
        "No",
        &["Yes"],
    );
    let meta = json!({"source_dataset": "family_relationships", "person1": "Ava", "person2": "Noah", "relationship": "mother-in-law"});
    accepts(
        meta.clone(),
        "mother-in-law",
        &["mother-in-law", "Mother in law"],
    );
    rejects(meta, "mother-in-law", &["mother"]);
    let meta = json!({"source_dataset": "letter_counting", "span_length": 3, "target_letter": "e", "span": ["Where", "the", "bees"]});
    accepts(meta.clone(), "5", &["5"]);
    rejects(meta, "5", &["4"]);
    let meta = json!({"source_dataset": "base_conversion", "decimal_value": 255, "source_base": 10, "target_base": 16, "source_repr": "255", "target_repr": "ff"});
    accepts(meta.clone(), "ff", &["ff", "FF", "0xff"]);
    rejects(meta, "ff", &["fe"]);
    let meta = json!({"source_dataset": "caesar_cipher", "rotation": 3, "cipher_text": "KHOOR", "clear_text": "HELLO"});
    accepts(meta.clone(), "HELLO", &["HELLO", "hello"]);
    rejects(meta, "HELLO", &["HELP"]);
}

#[test]
fn lists_and_matrices() {
    let meta = json!({"source_dataset": "number_sorting", "original_numbers": ["3", "-1.5", "2"], "direction": "ascending", "sorted_numbers": ["-1.5", "2", "3"]});
    accepts(
        meta.clone(),
        "['-1.5', '2', '3']",
        &["['-1.5', '2', '3']", "-1.5, 2, 3"],
    );
    rejects(meta, "['-1.5', '2', '3']", &["['3', '2', '-1.5']"]);
    let meta = json!({"source_dataset": "binary_matrix", "matrix": [[0, 1], [1, 1]], "solution": [[0, 1], [1, 2]]});
    accepts(meta.clone(), "0 1\n1 2", &["0 1\n1 2"]);
    rejects(meta, "0 1\n1 2", &["0 1\n1 1"]);
    let meta = json!({"source_dataset": "rotate_matrix", "matrix": [[1, 2], [3, 4]], "solution": [[3, 1], [4, 2]]});
    accepts(meta.clone(), "3 1\n4 2", &["3 1\n4 2"]);
    let meta = json!({"source_dataset": "spiral_matrix", "matrix": [[1, 2], [3, 4]], "solution": [1, 2, 4, 3]});
    accepts(meta.clone(), "1 2 4 3", &["1 2 4 3", "[1, 2, 4, 3]"]);
    rejects(meta, "1 2 4 3", &["1 2 3 4"]);
    let meta = json!({"source_dataset": "course_schedule", "courses": [0, 1, 2], "prerequisites": [[1, 0]], "solution": true, "solvable": true});
    accepts(meta.clone(), "True", &["True", "true"]);
    rejects(meta, "True", &["False"]);
    let meta = json!({"source_dataset": "word_ladder", "start_word": "COLD", "end_word": "WARM", "word_length": 4, "chain_length": 5});
    accepts(
        meta.clone(),
        "COLD,CORD,CARD,WARD,WARM",
        &["COLD,CORD,CARD,WARD,WARM", "cold, cord, card, ward, warm"],
    );
    rejects(
        meta,
        "COLD,CORD,CARD,WARD,WARM",
        &["COLD,WARM", "COLD,CORD,CARD,WARM"],
    );
}
