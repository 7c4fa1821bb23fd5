"""Synthetic people in four sources, with ground truth, for entity-resolution scale tests.

A seeded population of true people (about one per 2.5 records) living in households
(shared address and family name, a shared landline, twins, fathers and sons of the same
name), some of whom moved, is written out as records of four sources with different
layouts and data quality, each with a FollowTheMoney mapping:

* ``registry`` -- "Family, Given" in one column, dd.mm.yyyy, gender, address in parts,
  country code, national id; the cleanest source.
* ``bank`` -- given and family name columns, ISO birth date, phone, email, address,
  country name, IBAN (not mapped: FtM's Person has no account property).
* ``telecom`` -- "Given Family" in one column, the phone as written (often German local
  format such as ``030 1234567``), address as one free-text column; no birth date.
* ``police`` -- given and family names (surnames often in capitals), birth date to
  the day, month or year only, sex, nationality (ISO alpha-3), address, id document.

Records are corrupted per record with tunable rates (typos, nicknames, transliteration
variants, swapped names, initials, missing fields, birth-date errors, phone formats,
street abbreviations). A few very common name pairs ("John Smith", "Thomas Müller", ...)
are each given to about 0.3 % of the people, so those name blocks hold thousands of
records of different people at 1M records. Truth is ``truth.csv``
(``source,record_id,person_id``).

Records are streamed into per-source bucket files and shuffled bucket by bucket, so
memory stays flat and file order says nothing about who is who. Pure standard library;
the same seed gives byte-identical files. Usage:

    python benchmarks/people_gen.py --records 1000000 --seed 7 --out DIR [--noise 1.0]
"""

# ruff: noqa: RUF001 -- Turkish names are spelled with the dotless i on purpose

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
import unicodedata
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from itertools import accumulate
from pathlib import Path
from typing import TextIO, TypeVar

T = TypeVar("T")

SOURCES = ("registry", "bank", "telecom", "police")

# --------------------------------------------------------------------------------------
# Rates


@dataclass(frozen=True)
class Rates:
    """Per-record corruption probabilities (before the per-source quality factor)."""

    typo_given: float = 0.03  # one insert / delete / substitute / transpose
    typo_family: float = 0.04
    nickname: float = 0.12  # of records whose given name has a nickname
    translit: float = 0.20  # of names that have a transliteration variant
    swap: float = 0.02  # given and family name exchanged
    initial: float = 0.03  # given name reduced to its initial
    missing_given: float = 0.01
    missing_birth: float = 0.04
    birth_error: float = 0.03  # day/month swapped or one digit off
    missing_phone: float = 0.10
    missing_email: float = 0.15
    missing_address: float = 0.05  # telecom; police x3 (no fixed abode)
    missing_id: float = 0.20
    typo_street: float = 0.03
    typo_id: float = 0.01
    abbreviate_street: float = 0.30  # Straße -> Str. / Strasse (style, not scaled)
    # population, not scaled by --noise:
    moved: float = 0.12  # households with a second (old) address
    duplicate: float = 0.04  # chance that a second record goes to an already used source

    def scaled(self, factor: float) -> Rates:
        keep = {"moved", "duplicate", "abbreviate_street"}
        return replace(
            self,
            **{
                f.name: min(1.0, getattr(self, f.name) * factor)
                for f in fields(self)
                if f.name not in keep
            },
        )


# Data quality per source: multiplies the corruption rates.
QUALITY = {"registry": 0.4, "bank": 1.0, "telecom": 1.5, "police": 1.2}
# Share of record draws per source.
SOURCE_WEIGHTS = (0.30, 0.25, 0.27, 0.18)
# Records per person: value -> weight (mean about 2.5).
RECORDS_PER_PERSON = {
    1: 0.24, 2: 0.34, 3: 0.27, 4: 0.09, 5: 0.03, 6: 0.012, 7: 0.006,
    8: 0.004, 9: 0.003, 10: 0.002, 12: 0.0015, 15: 0.001, 20: 0.0005,
}  # fmt: skip
HOUSEHOLD_SIZE = {1: 0.55, 2: 0.20, 3: 0.12, 4: 0.09, 5: 0.04}
# (given, family, gender, culture), each for ~0.3 % of people.
COMMON_NAMES = (
    ("John", "Smith", "m", "en"),
    ("Maria", "Garcia", "f", "es"),
    ("Thomas", "Müller", "m", "de"),
    ("Mehmet", "Yılmaz", "m", "tr"),
    ("Aleksandr", "Ivanov", "m", "ru"),
    ("Mohammed", "Ali", "m", "ar"),
)
COMMON_SHARE = 0.003

# --------------------------------------------------------------------------------------
# Names


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


GIVEN: dict[str, tuple[list[str], list[str]]] = {
    "de": (
        _names(
            "Thomas, Michael, Andreas, Stefan, Christian, Peter, Klaus, Jürgen, Wolfgang, Frank,"
            "Markus, Matthias, Martin, Jörg, Uwe, Ralf, Sven, Dirk, Tobias, Jan, Alexander,"
            "Daniel, Sebastian, Florian, Lukas, Jonas, Felix, Maximilian, Paul, Leon, Niklas,"
            "Tim, Hans, Günter, Dieter, Helmut, Manfred, Horst, Bernd, Rainer, Karl-Heinz,"
            "Hans-Peter, Johannes, Wilhelm, Friedrich, Heinrich, Robert, Georg, Björn, Kai"
        ),
        _names(
            "Sabine, Petra, Andrea, Susanne, Claudia, Monika, Birgit, Ursula, Karin, Renate,"
            "Gabriele, Stefanie, Julia, Katharina, Anna, Laura, Lena, Sarah, Lisa, Hannah,"
            "Leonie, Sophie, Marie, Johanna, Jana, Nicole, Sandra, Melanie, Kerstin, Anja,"
            "Heike, Silke, Martina, Barbara, Elisabeth, Christine, Ingrid, Brigitte, Jutta,"
            "Gisela, Franziska, Charlotte, Annika, Mareike, Jessica, Bärbel, Dörte"
        ),
    ),
    "en": (
        _names(
            "James, John, William, Robert, Michael, David, Richard, Joseph, Charles, Thomas,"
            "Christopher, Daniel, Matthew, Anthony, Mark, Steven, Paul, Andrew, Joshua,"
            "Kenneth, Kevin, Brian, George, Edward, Ronald, Timothy, Jason, Jeffrey, Ryan,"
            "Jacob, Gary, Nicholas, Eric, Jonathan, Stephen, Oliver, Harry, Jack, Samuel,"
            "Benjamin"
        ),
        _names(
            "Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen,"
            "Nancy, Margaret, Lisa, Betty, Dorothy, Sandra, Ashley, Kimberly, Emily, Donna,"
            "Michelle, Carol, Amanda, Melissa, Deborah, Stephanie, Rebecca, Laura, Sharon,"
            "Cynthia, Kathleen, Amy, Shirley, Angela, Helen, Emma, Olivia, Sophie, Charlotte,"
            "Amelia, Jane, Victoria"
        ),
    ),
    "es": (
        _names(
            "José, Antonio, Manuel, Francisco, Juan, David, Javier, Daniel, Carlos, Jesús,"
            "Alejandro, Miguel, Rafael, Pedro, Pablo, Ángel, Sergio, Fernando, Jorge, Luis,"
            "Alberto, Álvaro, Diego, Adrián, Raúl, Enrique, Ramón, Vicente, Ignacio, Andrés"
        ),
        _names(
            "María, Carmen, Ana, Isabel, Laura, Dolores, Pilar, Teresa, Rosa, Cristina, Marta,"
            "Lucía, Elena, Mercedes, Paula, Raquel, Sara, Rocío, Beatriz, Silvia, Patricia,"
            "Nuria, Irene, Andrea, Alba, Julia, Sofía, Inmaculada, Montserrat, Concepción"
        ),
    ),
    "tr": (
        _names(
            "Mehmet, Mustafa, Ahmet, Ali, Hüseyin, Hasan, İbrahim, İsmail, Osman, Yusuf, Murat,"
            "Ömer, Ramazan, Halil, Süleyman, Abdullah, Mahmut, Recep, Salih, Fatih, Kemal, Emre,"
            "Burak, Serkan, Cem, Kadir, Yasin, Erkan, Orhan, Tuncay"
        ),
        _names(
            "Fatma, Ayşe, Emine, Hatice, Zeynep, Elif, Meryem, Şerife, Zehra, Sultan, Hanife,"
            "Merve, Özlem, Yasemin, Hülya, Esra, Büşra, Derya, Gül, Aylin, Sibel, Nur, Ebru,"
            "Dilek, Songül, Filiz, Tuba, Melek, Leyla, Selin"
        ),
    ),
    "ru": (
        _names(
            "Aleksandr, Sergey, Dmitry, Andrey, Aleksey, Maksim, Yevgeny, Ivan, Mikhail, Nikolay,"
            "Artyom, Vladimir, Denis, Pavel, Roman, Igor, Oleg, Viktor, Yury, Konstantin,"
            "Anatoly, Vitaly, Kirill, Vadim, Boris, Grigory, Stanislav, Ruslan, Timur, Leonid"
        ),
        _names(
            "Yelena, Olga, Natalya, Tatyana, Irina, Svetlana, Anna, Mariya, Yekaterina,"
            "Lyudmila, Galina, Anastasiya, Yuliya, Oksana, Marina, Nadezhda, Valentina, Darya,"
            "Kseniya, Viktoriya, Larisa, Lyubov, Polina, Sofiya, Alina, Vera, Zoya, Nina, Alla,"
            "Inna"
        ),
    ),
    "ar": (
        _names(
            "Mohammed, Ahmed, Ali, Omar, Mahmoud, Mustafa, Hassan, Hussein, Khaled, Youssef,"
            "Ibrahim, Abdullah, Karim, Tarek, Samir, Walid, Nabil, Rami, Bilal, Hamza, Jamal,"
            "Said, Fadi, Ziad, Adel, Amir, Khalil, Majid, Nasser, Saleh"
        ),
        _names(
            "Fatima, Aisha, Mariam, Zainab, Nour, Layla, Amira, Sara, Huda, Rania, Salma,"
            "Yasmin, Hana, Dina, Mona, Reem, Samira, Lina, Noor, Rasha, Ghada, Hiba, Asma, Iman,"
            "Jamila, Khadija, Latifa, Nadia, Souad, Widad"
        ),
    ),
    "pl": (
        _names(
            "Piotr, Krzysztof, Andrzej, Tomasz, Paweł, Jan, Michał, Marcin, Stanisław, Jakub,"
            "Adam, Marek, Łukasz, Grzegorz, Mateusz, Wojciech, Mariusz, Dariusz, Zbigniew, Jerzy"
        ),
        _names(
            "Anna, Maria, Katarzyna, Małgorzata, Agnieszka, Barbara, Ewa, Krystyna, Elżbieta,"
            "Magdalena, Joanna, Zofia, Aleksandra, Monika, Teresa, Danuta, Natalia, Karolina,"
            "Marta, Beata"
        ),
    ),
    "it": (
        _names(
            "Giuseppe, Giovanni, Antonio, Mario, Luigi, Francesco, Angelo, Vincenzo, Pietro,"
            "Salvatore, Carlo, Franco, Domenico, Bruno, Paolo, Michele, Giorgio, Alessandro,"
            "Lorenzo, Matteo"
        ),
        _names(
            "Maria, Anna, Giuseppina, Rosa, Angela, Giovanna, Teresa, Lucia, Carmela, Caterina,"
            "Francesca, Antonietta, Giulia, Chiara, Sofia, Alessia, Martina, Elena, Federica,"
            "Valentina"
        ),
    ),
}

FAMILY: dict[str, list[str]] = {
    "de": _names(
        "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann,"
        "Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann,"
        "Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Schmitz, Krause, Meier,"
        "Lehmann, Schmid, Schulze, Maier, Köhler, Herrmann, König, Walter, Mayer, Huber, Kaiser,"
        "Fuchs, Peters, Lang, Scholz, Möller, Weiß, Jung, Hahn, Schubert, Vogel, Friedrich,"
        "Keller, Günther, Frank, Berger, Winkler, Roth, Beck, Lorenz, Baumann, Franke, Albrecht,"
        "Schuster, Simon, Ludwig, Böhm, Winter, Kraus, Martin, Schumacher, Krämer, Vogt, Stein,"
        "Jäger, Otto, Sommer, Groß, Seidel, Heinrich, Brandt, Haas, Schreiber, Graf, Schulte,"
        "Dietrich, Ziegler, Kuhn, Kühn, Pohl, Engel, Horn, Busch, Bergmann, Thomas, Voigt, Sauer,"
        "Arnold, Wolff, Pfeiffer"
    ),
    "en": _names(
        "Smith, Jones, Williams, Taylor, Brown, Davies, Evans, Wilson, Thomas, Johnson, Roberts,"
        "Robinson, Thompson, Wright, Walker, White, Edwards, Hughes, Green, Hall, Lewis, Harris,"
        "Clarke, Patel, Jackson, Wood, Turner, Martin, Cooper, Hill, Ward, Morris, Moore, Clark,"
        "Lee, King, Baker, Harrison, Morgan, Allen, James, Scott, Phillips, Watson, Davis,"
        "Parker, Price, Bennett, Young, Griffiths, Mitchell, Kelly, Cook, Carter, Richardson,"
        "Bailey, Collins, Bell, Shaw, Murphy, Miller, Cox, Richards, Khan, Marshall, Anderson,"
        "Simpson, Ellis, Adams, Singh, Wilkinson, Foster, Chapman, Powell, Webb, Rogers, Gray,"
        "Mason, Hunt, Campbell, Matthews, Owen, Palmer, Holmes, Mills, Barnes, Knight, Lloyd,"
        "Butler, Russell, Barker, Fisher, Stevens, Jenkins, Murray, Dixon, Harvey"
    ),
    "es": _names(
        "García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Martín,"
        "Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Alonso, Gutiérrez,"
        "Navarro, Torres, Domínguez, Vázquez, Ramos, Gil, Ramírez, Serrano, Blanco, Molina,"
        "Morales, Suárez, Ortega, Delgado, Castro, Ortiz, Rubio, Marín, Sanz, Núñez, Iglesias,"
        "Medina, Garrido, Cortés, Castillo, Santos, Lozano, Guerrero, Cano, Prieto, Méndez, Cruz,"
        "Calvo, Gallego, Vidal, León, Márquez, Herrera, Peña, Flores, Cabrera, Campos, Vega,"
        "Fuentes, Carrasco, Diez, Caballero, Reyes, Nieto, Aguilar, Pascual, Santana, Herrero,"
        "Montero, Lorenzo, Hidalgo, Giménez, Ibáñez, Ferrer, Durán, Santiago, Benítez, Mora,"
        "Vicente, Vargas, Arias, Carmona, Crespo, Román, Pastor, Soto, Sáez, Velasco, Moya"
    ),
    "tr": _names(
        "Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın, Özdemir, Arslan,"
        "Doğan, Kılıç, Aslan, Çetin, Kara, Koç, Kurt, Özkan, Şimşek, Polat, Özcan, Korkmaz,"
        "Çakır, Erdoğan, Yavuz, Can, Acar, Şen, Aktaş, Güler, Yalçın, Güneş, Bozkurt, Bulut,"
        "Keskin, Ünal, Turan, Gül, Özer, Işık, Kaplan, Avcı, Sarı, Tekin, Taş, Köse, Yüksel,"
        "Ateş, Aksoy"
    ),
    "ru": _names(
        "Ivanov, Smirnov, Kuznetsov, Popov, Vasilyev, Petrov, Sokolov, Mikhaylov, Novikov,"
        "Fyodorov, Morozov, Volkov, Alekseyev, Lebedev, Semyonov, Yegorov, Pavlov, Kozlov,"
        "Stepanov, Nikolayev, Orlov, Andreyev, Makarov, Nikitin, Zakharov, Zaytsev, Solovyov,"
        "Borisov, Yakovlev, Grigoryev, Romanov, Vorobyov, Sergeyev, Kuzmin, Frolov, Aleksandrov,"
        "Dmitriyev, Korolyov, Gusev, Kiselyov, Ilyin, Maksimov, Polyakov, Sorokin, Vinogradov,"
        "Kovalyov, Belov, Medvedev, Antonov, Tarasov, Zhukov, Baranov, Filippov, Komarov,"
        "Davydov, Belyayev, Gerasimov, Bogdanov, Osipov, Sidorov, Shevchenko, Bondarenko,"
        "Kovalenko, Tkachenko, Kravchenko, Kovalchuk, Melnyk"
    ),
    "ar": _names(
        "Ali, Al-Hassan, Al-Masri, Al-Khatib, Haddad, Najjar, Saleh, Al-Sayed, Al-Tamimi,"
        "Al-Zahrani, Qasim, Hamdan, Al-Omari, Al-Shami, Halabi, Al-Baghdadi, Jaber, Nasser,"
        "Abdel-Rahman, Aziz, Karim, Mansour, Khalil, Ibrahim, Hussein, Ahmed, Mahmoud, Youssef,"
        "Abbas, Othman, Farouk, Darwish, Suleiman, Hamad, Rashid, Bakr, Issa, Moussa, Awad,"
        "Ghanem, Shaheen, Zaki, Fares, Kassem, Sabbagh, Hijazi, Khoury, Salem, Yassin, Barakat"
    ),
    "pl": _names(
        "Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński,"
        "Szymański, Woźniak, Dąbrowski, Kozłowski, Jankowski, Mazur, Wojciechowski,"
        "Kwiatkowski, Krawczyk, Kaczmarek, Piotrowski, Grabowski, Zając, Pawłowski, Michalski,"
        "Król, Wieczorek, Jabłoński, Wróbel, Nowakowski, Majewski, Olszewski, Stępień,"
        "Malinowski, Jaworski, Adamczyk, Dudek, Nowicki, Pawlak, Górski, Witkowski, Walczak"
    ),
    "it": _names(
        "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno,"
        "Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, Barbieri,"
        "Fontana, Santoro, Mariani, Rinaldi, Caruso, Ferrara, Galli, Martini, Leone, Longo,"
        "Gentile, Martinelli, Vitale, Lombardo, Serra, Coppola, De Santis, D'Angelo, Marchetti"
    ),
}

# Syllables for combinatorial family names: (starts, ends) per culture.
SYLLABLES: dict[str, tuple[str, str]] = {
    "de": (
        "Berg, Stein, Wald, Linden, Hof, Brand, Eich, Hart, Kling, Roth, Schön, Grün, Hoch, Neu,"
        "Alt, Wester, Oster, Sonnen, Rosen, Kirch, Mühl, Fels, Holz, Weiß, Schwarz, Stroh, Kamm,"
        "Buch, Lau, Rein, Hell, Wies, Dorn, Spiel, Feld, Stoll, Brun, Ober, Unter, Kreuz",
        "mann, er, hoff, berger, meier, bauer, feld, mayer, brink, kamp, haus, thal, ner, ing,"
        "ert, wald, stein, bach, ecker, inger, hausen, beck, reiter, schmid, ler",
    ),
    "en": (
        "Ash, Brad, Black, White, Wood, Hill, Green, Fair, Hart, Kings, Mar, Stan, Thorn, Wes,"
        "Whit, Lang, Church, Brook, Ald, Red, Cran, Hollo, Pem, Rad, Shel, Wint, Bur, Craw",
        "ford, ley, ton, field, wood, well, by, worth, ham, son, man, dale, wick, more, stead,"
        "bury, combe, shaw",
    ),
    "es": (
        "Mon, Val, Cas, Al, Mar, Ber, Fer, Gal, Ro, Se, Vi, Ca, Ar, Bus, Ler, Tor, Es, Pa",
        "tero, dés, tillo, varado, tínez, mejo, rano, llego, dríguez, villa, ñoz, rera, nal,"
        "cedo, ranco",
    ),
    "tr": (
        "Yıl, Kaya, Demir, Çelik, Şa, Ay, Öz, Ar, Kara, Ak, Er, Kurt, Koç, Gül, Tek, Can, Bal,"
        "Taş, Doğ, Us, Gök, Ton, Sev, Bay",
        "dız, han, kan, türk, oğlu, soy, göz, men, baş, alp, er, ay, tekin, cı, dağ, yol",
    ),
    "ru": (
        "Iva, Petr, Smir, Sokol, Pop, Lebed, Kozl, Novik, Mor, Volk, Zait, Pavl, Sem, Golub,"
        "Vinogr, Bogd, Vorob, Fyod, Mikh, Bel, Taras, Belous, Kuzn, Gus, Shap, Rod, Krasn, Tit",
        "ov, ev, in, enko, ovsky, yshev, kin, chuk, nikov, ko, anov, shin",
    ),
    "ar": (
        "Al-, El-, Abu , Bin , Abdel-",
        "Hassan, Rashid, Masri, Khatib, Haddad, Najjar, Sayed, Tamimi, Zahrani, Qasim, Hamdan,"
        "Omari, Shami, Halabi, Baghdadi, Jaber, Nasser, Rahman, Aziz, Karim, Mansour, Farouk,"
        "Darwish, Hamad, Bakr, Issa, Awad, Ghanem, Zaki, Fares, Sabbagh, Hijazi, Salem, Yassin",
    ),
    "pl": (
        "Kowal, Nowak, Wiśniew, Kamień, Lewand, Zieliń, Szyman, Dąbrow, Kozłow, Jank, Mazur,"
        "Krawc, Piotr, Grab, Michal, Jabłoń, Wróbl, Majew, Olszew, Malin, Jawor, Witk, Gór, Sob",
        "ski, owski, ewski, czyk, ak, ek, iak, icki",
    ),
    "it": (
        "Bel, Cas, Mar, Val, Fon, Gian, Ros, Ver, Mon, Lan, Bon, Car, Del, Fer, Gal, Pel, Sal",
        "lini, etti, ucci, one, ardi, ello, ini, ari, esi, otti, azzi, occhi",
    ),
}

NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"), "Robert": ("Bob", "Rob", "Bobby"),
    "Richard": ("Rick", "Dick"), "James": ("Jim", "Jimmy"), "Michael": ("Mike", "Micha"),
    "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",),
    "Anthony": ("Tony",), "Joseph": ("Joe",), "Thomas": ("Tom", "Tommy"),
    "Andrew": ("Andy", "Drew"), "Nicholas": ("Nick",), "Jonathan": ("Jon",),
    "Stephen": ("Steve",), "Steven": ("Steve",), "Benjamin": ("Ben",), "Samuel": ("Sam",),
    "Edward": ("Ed", "Ted"), "Timothy": ("Tim",), "Kenneth": ("Ken",), "Jacob": ("Jake",),
    "Elizabeth": ("Liz", "Beth", "Betty"), "Margaret": ("Maggie", "Peggy"),
    "Jennifer": ("Jen", "Jenny"), "Patricia": ("Pat", "Patty"), "Rebecca": ("Becky",),
    "Kathleen": ("Kathy",), "Deborah": ("Debbie",), "Victoria": ("Vicky",),
    "Katharina": ("Kathi", "Katja"), "Alexander": ("Alex", "Sascha"),
    "Aleksandr": ("Sasha", "Sascha"), "Dmitry": ("Dima",), "Aleksey": ("Alyosha",),
    "Yevgeny": ("Zhenya",), "Mikhail": ("Misha",), "Vladimir": ("Volodya", "Vova"),
    "Nikolay": ("Kolya",), "Ivan": ("Vanya",), "Yekaterina": ("Katya",), "Yelena": ("Lena",),
    "Natalya": ("Natasha",), "Tatyana": ("Tanya",), "Anastasiya": ("Nastya",),
    "Mariya": ("Masha",), "Lyudmila": ("Luda",), "Johannes": ("Hannes",),
    "Christian": ("Chris",), "Sebastian": ("Basti",), "Maximilian": ("Max",),
    "Stefanie": ("Steffi",), "Franziska": ("Franzi",), "Elisabeth": ("Lisa", "Elli"),
    "Susanne": ("Susi",), "Gabriele": ("Gabi",), "Friedrich": ("Fritz",),
    "Wilhelm": ("Willi",), "Heinrich": ("Heinz",), "Florian": ("Flo",),
    "Francisco": ("Paco",), "José": ("Pepe",), "Dolores": ("Lola",),
    "Concepción": ("Conchi",), "Manuel": ("Manolo",), "Ignacio": ("Nacho",),
    "Giuseppe": ("Beppe", "Peppe"), "Giovanni": ("Gianni",), "Katarzyna": ("Kasia",),
    "Małgorzata": ("Gosia",), "Aleksandra": ("Ola",), "Mohammed": ("Mo",),
}  # fmt: skip

# Transliteration variants beyond the rule-based ones (umlauts, accents, Russian
# German-style transliteration, Arabic articles).
TRANSLIT: dict[str, tuple[str, ...]] = {
    "Aleksandr": ("Alexander", "Alexandr", "Oleksandr"), "Sergey": ("Sergei", "Sergej"),
    "Dmitry": ("Dmitri", "Dmitrij", "Dimitri"), "Andrey": ("Andrei", "Andrej"),
    "Aleksey": ("Alexei", "Alexey", "Aleksej"), "Maksim": ("Maxim", "Maksym"),
    "Yevgeny": ("Evgeny", "Evgeniy", "Jewgeni"), "Nikolay": ("Nikolai", "Nikolaj"),
    "Yury": ("Yuri", "Juri", "Iurii"), "Artyom": ("Artem", "Artjom"),
    "Vitaly": ("Vitali", "Witali"), "Anatoly": ("Anatoli", "Anatolij"),
    "Grigory": ("Grigori", "Grigorij"), "Mikhail": ("Michail", "Mykhailo"),
    "Yelena": ("Elena", "Jelena", "Olena"), "Natalya": ("Natalia", "Natalja"),
    "Tatyana": ("Tatiana", "Tatjana"), "Mariya": ("Maria", "Marija"),
    "Yekaterina": ("Ekaterina", "Jekaterina"), "Yuliya": ("Yulia", "Julia", "Julija"),
    "Anastasiya": ("Anastasia", "Anastasija"), "Kseniya": ("Ksenia", "Xenia"),
    "Darya": ("Daria", "Darja"), "Viktoriya": ("Victoria", "Viktorija"),
    "Lyudmila": ("Ludmila", "Ljudmila"), "Sofiya": ("Sofia", "Sofija"),
    "Mohammed": ("Muhammad", "Mohamed", "Mohammad", "Muhammed"), "Ahmed": ("Ahmad",),
    "Mahmoud": ("Mahmud", "Mahmood"), "Hussein": ("Husain", "Hussain", "Hüseyin"),
    "Youssef": ("Yousef", "Yusuf", "Jussuf"), "Khaled": ("Khalid", "Chaled"),
    "Omar": ("Umar",), "Hassan": ("Hasan",), "Tarek": ("Tariq", "Tarik"),
    "Said": ("Saeed", "Sayed"), "Fatima": ("Fatma", "Fatimah"), "Aisha": ("Aysha", "Aischa"),
    "Mariam": ("Maryam",), "Zainab": ("Zaynab", "Zeinab"), "Nour": ("Noor", "Nur"),
    "Layla": ("Leila", "Laila"), "Yasmin": ("Jasmin", "Yasmine"),
    "Abdullah": ("Abdallah", "Abdulla"), "Jamal": ("Gamal",), "Nasser": ("Nasir", "Naser"),
    "Mustafa": ("Mustapha", "Moustafa"), "Ibrahim": ("Ebrahim",), "Youssif": ("Yusuf",),
    "Jürgen": ("Juergen", "Jurgen"), "Müller": ("Mueller", "Muller"),
}  # fmt: skip


def _fold_tables() -> tuple[dict[int, str], dict[int, str]]:
    """(strip accents, German umlaut expansion) translation tables."""
    special = {"ß": "ss", "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae",
               "Æ": "Ae", "đ": "d", "Đ": "D", "œ": "oe", "Œ": "Oe"}  # fmt: skip
    strip: dict[int, str] = {}
    for code in range(0xC0, 0x180):
        char = chr(code)
        if char in special:
            strip[code] = special[char]
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if c.isascii())
        if base and base != char:
            strip[code] = base
    german = dict(strip)
    for char, expanded in {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe",
                           "Ü": "Ue"}.items():  # fmt: skip
        german[ord(char)] = expanded
    return strip, german


STRIP, GERMAN = _fold_tables()


def _ru_german(name: str) -> str:
    """German-style transliteration of an English-style Russian transliteration."""
    out = name.replace("kh", "ch").replace("Kh", "Ch").replace("zh", "sch").replace("Zh", "Sch")
    out = out.replace("ya", "ja").replace("yu", "ju").replace("yo", "jo").replace("v", "w")
    out = out.replace("V", "W")
    if out.startswith("Y"):
        out = "J" + out[1:]
    return out


def _variants(name: str, culture: str) -> tuple[str, ...]:
    found = list(TRANSLIT.get(name, ()))
    found += [name.translate(GERMAN), name.translate(STRIP)]
    if culture == "ru":
        found.append(_ru_german(name))
    if culture == "ar":
        for article in ("Al-", "El-", "Abdel-"):
            if name.startswith(article):
                rest = name[len(article) :]
                head = article[:-1]
                found += [f"{head} {rest}", f"{head}{rest.lower()}"]
                if head == "Al":
                    found += [f"El-{rest}", rest]
    seen: dict[str, None] = {}
    for variant in found:
        if variant != name and variant:
            seen[variant] = None
    return tuple(seen)


def _feminine(name: str, culture: str) -> str:
    if culture == "ru":
        if name.endswith(("ov", "ev", "in", "yn")):
            return name + "a"
        if name.endswith("ovsky"):
            return name[:-1] + "aya"
    if culture == "pl" and name.endswith(("ski", "cki", "dzki")):
        return name[:-1] + "a"
    return name


Table = tuple[list[T], list[float], float]


def _table(items: Sequence[T], weights: Sequence[float]) -> Table[T]:
    cum = list(accumulate(weights))
    return list(items), cum, cum[-1]


def _zipf(items: Sequence[str], offset: float) -> list[float]:
    return [1.0 / (rank + offset) for rank in range(len(items))]


def _family_table(culture: str) -> Table[str]:
    real = FAMILY[culture]
    starts, ends = (_names(part) for part in SYLLABLES[culture])
    generated: dict[str, None] = {}
    for start in starts:
        for end in ends:
            if culture == "ar":  # "Al-" + "Hassan", "Abu" + " " + "Hassan"
                name = start + end if start.endswith("-") else f"{start} {end}"
            else:
                name = start + end
            if name not in real:
                generated[name] = None
    real_weights = _zipf(real, 10.0)
    per_generated = sum(real_weights) / max(1, len(generated))
    items = real + list(generated)
    return _table(items, real_weights + [per_generated] * len(generated))


# --------------------------------------------------------------------------------------
# Places, phones, ids

# country -> (weight, culture weights)
RESIDENCE: dict[str, tuple[float, dict[str, float]]] = {
    "DE": (78, {"de": 55, "tr": 10, "ru": 8, "ar": 7, "pl": 6, "it": 5, "es": 4, "en": 3}),
    "AT": (5, {"de": 75, "tr": 8, "ru": 5, "ar": 4, "pl": 4, "it": 4}),
    "CH": (3, {"de": 70, "it": 15, "es": 5, "tr": 5, "en": 5}),
    "NL": (3, {"de": 30, "en": 35, "tr": 15, "ar": 15, "pl": 5}),
    "GB": (3, {"en": 75, "pl": 8, "ar": 7, "it": 5, "es": 5}),
    "ES": (3, {"es": 85, "en": 5, "ar": 10}),
    "TR": (3, {"tr": 95, "de": 5}),
    "PL": (2, {"pl": 95, "de": 5}),
}
# city, weight, postcode prefix(es) (a "#" is a random digit), area code (DE landlines)
CITIES: dict[str, list[tuple[str, float, tuple[str, ...], str]]] = {
    "DE": [
        ("Berlin", 37, ("10###", "12###", "13###"), "30"),
        ("Hamburg", 19, ("20###", "21###", "22###"), "40"),
        ("München", 15, ("80###", "81###"), "89"),
        ("Köln", 11, ("50###", "51###"), "221"),
        ("Frankfurt am Main", 8, ("60###", "65###"), "69"),
        ("Stuttgart", 6, ("70###",), "711"),
        ("Düsseldorf", 6, ("40###",), "211"),
        ("Leipzig", 6, ("04###",), "341"),
        ("Dortmund", 6, ("44###",), "231"),
        ("Essen", 6, ("45###",), "201"),
        ("Bremen", 6, ("28###",), "421"),
        ("Dresden", 6, ("01###",), "351"),
        ("Hannover", 5, ("30###",), "511"),
        ("Nürnberg", 5, ("90###",), "911"),
        ("Duisburg", 5, ("47###",), "203"),
        ("Bochum", 4, ("44###",), "234"),
        ("Wuppertal", 4, ("42###",), "202"),
        ("Bielefeld", 3, ("33###",), "521"),
        ("Bonn", 3, ("53###",), "228"),
        ("Münster", 3, ("48###",), "251"),
        ("Mannheim", 3, ("68###",), "621"),
        ("Karlsruhe", 3, ("76###",), "721"),
        ("Augsburg", 3, ("86###",), "821"),
        ("Wiesbaden", 3, ("65###",), "611"),
        ("Mönchengladbach", 3, ("41###",), "2161"),
        ("Gelsenkirchen", 3, ("45###",), "209"),
        ("Aachen", 2, ("52###",), "241"),
        ("Braunschweig", 2, ("38###",), "531"),
        ("Kiel", 2, ("24###",), "431"),
        ("Chemnitz", 2, ("09###",), "371"),
        ("Freiburg im Breisgau", 2, ("79###",), "761"),
    ],
    "AT": [
        ("Wien", 20, ("1#10",), ""),
        ("Graz", 3, ("80#0",), ""),
        ("Linz", 2, ("40#0",), ""),
        ("Salzburg", 2, ("50#0",), ""),
        ("Innsbruck", 1, ("6020",), ""),
    ],
    "CH": [
        ("Zürich", 4, ("80##",), ""),
        ("Genève", 2, ("12##",), ""),
        ("Basel", 2, ("40##",), ""),
        ("Bern", 1, ("30##",), ""),
    ],
    "NL": [
        ("Amsterdam", 9, ("10## @@",), ""),
        ("Rotterdam", 6, ("30## @@",), ""),
        ("Den Haag", 5, ("25## @@",), ""),
        ("Utrecht", 3, ("35## @@",), ""),
    ],
    "GB": [
        ("London", 9, ("SW1A #@@", "E1 #@@", "N1 #@@", "SE1 #@@", "NW3 #@@"), ""),
        ("Manchester", 2, ("M1 #@@", "M4 #@@"), ""),
        ("Birmingham", 2, ("B1 #@@",), ""),
        ("Leeds", 1, ("LS1 #@@",), ""),
    ],
    "ES": [
        ("Madrid", 7, ("280##",), ""),
        ("Barcelona", 5, ("080##",), ""),
        ("Valencia", 2, ("460##",), ""),
        ("Sevilla", 2, ("410##",), ""),
    ],
    "TR": [
        ("İstanbul", 15, ("34###",), ""),
        ("Ankara", 5, ("06###",), ""),
        ("İzmir", 4, ("35###",), ""),
        ("Bursa", 3, ("16###",), ""),
    ],
    "PL": [
        ("Warszawa", 5, ("00-###", "02-###"), ""),
        ("Kraków", 2, ("30-###",), ""),
        ("Wrocław", 2, ("50-###",), ""),
        ("Gdańsk", 1, ("80-###",), ""),
    ],
}
# (address style, starts, ends, how they join): style "de" = "Name 12", "en" = "12 Name Road";
# joins: "" = "Lindenstraße", " " = "High Street", "pre" = "Calle Mayor"
STREETS: dict[str, tuple[str, str, str, str]] = {
    "de": (
        "de",
        "Haupt, Bahnhof, Schul, Garten, Kirch, Dorf, Linden, Berg, Wald, Ring, Birken, Eichen,"
        "Feld, Wiesen, Mühlen, Friedrich-Ebert-, Goethe, Schiller, Mozart, Beethoven, Rosen,"
        "Tannen, Buchen, Ahorn, Blumen, Industrie, Post, Markt, Park, See, Bach, Brunnen,"
        "Kastanien, Jahn, Heine, Uhland, Lessing, Kant, Bismarck, Kaiser, König, Wilhelm-Busch-,"
        "Luisen, Marien, Sophien, Erlen, Am Sonnen, Kopernikus",
        "straße, straße, straße, straße, weg, weg, allee, platz, ring, gasse, damm",
        "",
    ),
    "nl": (
        "de",
        "Kerk, Dorps, Molen, School, Stations, Heren, Keizers, Prinsen, Linden, Beuken, Wilhelmina",
        "straat, straat, weg, laan, gracht, plein",
        "",
    ),
    "en": (
        "en",
        "High, Church, Station, Park, Victoria, Green, Manor, King's, Queen's, Mill, School,"
        "North, South, London, York, Albert, Grange, Springfield, Oak, Elm",
        "Street, Road, Lane, Avenue, Close, Drive, Way, Gardens",
        " ",
    ),
    "es": (
        "de",
        "Mayor, de la Constitución, Real, del Sol, de San Juan, de Alcalá, Nueva, de la Paz,"
        "de Santa María, de Goya, de Serrano, del Prado",
        "Calle, Avenida, Plaza, Paseo",
        "pre",
    ),
    "tr": (
        "de",
        "Atatürk, Cumhuriyet, İstiklal, Gazi, Fatih, Mimar Sinan, İnönü, Bağdat, Barış, Çiçek",
        "Caddesi, Sokak, Bulvarı",
        " ",
    ),
    "pl": (
        "de",
        "Marszałkowska, Długa, Polna, Leśna, Słoneczna, Krótka, Szkolna, Ogrodowa, Lipowa,"
        "Kościuszki",
        "ul.",
        "pre",
    ),
}
STREET_STYLE = {"DE": "de", "AT": "de", "CH": "de", "NL": "nl", "GB": "en", "ES": "es",
                "TR": "tr", "PL": "pl"}  # fmt: skip
COUNTRY_NAMES = {"DE": "Germany", "AT": "Austria", "CH": "Switzerland", "NL": "Netherlands",
                 "GB": "United Kingdom", "ES": "Spain", "TR": "Turkey", "PL": "Poland"}  # fmt: skip
ISO3 = {"de": "DEU", "at": "AUT", "ch": "CHE", "nl": "NLD", "gb": "GBR", "es": "ESP",
        "tr": "TUR", "pl": "POL", "ru": "RUS", "ua": "UKR", "kz": "KAZ", "sy": "SYR",
        "iq": "IRQ", "eg": "EGY", "ma": "MAR", "lb": "LBN", "us": "USA", "ie": "IRL",
        "au": "AUS", "mx": "MEX", "co": "COL", "ar": "ARG", "it": "ITA"}  # fmt: skip
NATIONALITY: dict[str, dict[str, float]] = {
    "de": {"": 100},  # "" = country of residence
    "tr": {"tr": 50, "": 50},
    "ru": {"ru": 40, "ua": 20, "kz": 10, "": 30},
    "ar": {"sy": 30, "iq": 15, "eg": 10, "ma": 10, "lb": 10, "": 25},
    "pl": {"pl": 70, "": 30},
    "en": {"gb": 60, "us": 25, "ie": 10, "au": 5},
    "es": {"es": 60, "mx": 10, "co": 10, "ar": 10, "": 10},
    "it": {"it": 75, "": 25},
}
# country code, mobile prefixes, subscriber digits
MOBILE: dict[str, tuple[str, tuple[str, ...], int]] = {
    "DE": ("49", ("151", "152", "157", "159", "160", "162", "163", "170", "171", "172", "173",
                  "174", "175", "176", "177", "178", "179"), 8),
    "AT": ("43", ("664", "650", "660", "676", "699"), 7),
    "CH": ("41", ("76", "77", "78", "79"), 7),
    "NL": ("31", ("61", "62", "63", "64", "65", "68"), 7),
    "GB": ("44", ("74", "75", "78", "79"), 8),
    "ES": ("34", ("60", "61", "62", "63", "64", "65", "66", "67", "68", "69"), 7),
    "TR": ("90", ("53", "54", "55"), 8),
    "PL": ("48", ("50", "51", "53", "57", "60", "66", "69", "72", "78", "79", "88"), 7),
}  # fmt: skip
EMAIL_DOMAINS: dict[str, list[str]] = {
    "DE": ["gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.com", "yahoo.de",
           "freenet.de", "posteo.de", "icloud.com"],
    "AT": ["gmx.at", "aon.at", "gmail.com", "chello.at"],
    "CH": ["bluewin.ch", "gmx.ch", "gmail.com"],
    "NL": ["ziggo.nl", "kpnmail.nl", "gmail.com", "hotmail.com"],
    "GB": ["gmail.com", "btinternet.com", "hotmail.co.uk", "yahoo.co.uk"],
    "ES": ["gmail.com", "telefonica.net", "hotmail.es", "yahoo.es"],
    "TR": ["gmail.com", "hotmail.com", "yandex.com.tr"],
    "PL": ["wp.pl", "onet.pl", "o2.pl", "gmail.com"],
}  # fmt: skip
ID_CHARS = "CFGHJKLMNPRTVWXYZ0123456789"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
UPPER = "ABCDEFGHJKLMNPRSTUVWXYZ"
DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # no 29 February: safe for errors

# --------------------------------------------------------------------------------------
# The generator


@dataclass(slots=True)
class Address:
    street: str
    number: str
    postcode: str
    city: str
    country: str  # ISO alpha-2, upper case
    style: str


@dataclass(slots=True)
class Person:
    pid: str
    given: str
    middle: str
    family: str
    gender: str  # "m" / "f"
    year: int
    month: int
    day: int
    culture: str
    nationality: str  # ISO alpha-2, lower case
    national_id: str
    email: str
    phones: list[tuple[str, str, str]]  # (country code, area / prefix, subscriber)
    addresses: list[Address]  # [current] or [current, old]


Row = list[str]


class Generator:
    def __init__(self, rng: random.Random, rates: Rates) -> None:
        self.rng = rng
        self.rnd = rng.random
        self.rates = {s: rates.scaled(QUALITY[s]) for s in SOURCES}
        self.base = rates
        self.given = {
            c: tuple(_table(names, _zipf(names, 8.0)) for names in GIVEN[c]) for c in GIVEN
        }
        self.family = {c: _family_table(c) for c in FAMILY}
        self.variants: dict[str, tuple[str, ...]] = {}
        for culture in GIVEN:
            for names in (*GIVEN[culture], self.family[culture][0]):
                for name in names:
                    for form in {name, _feminine(name, culture)}:
                        self.variants[form] = _variants(form, culture)
        for given, family, _gender, culture in COMMON_NAMES:
            self.variants[given] = _variants(given, culture)
            self.variants[family] = _variants(family, culture)
        self.ascii: dict[str, str] = {}
        self.residence = _table(list(RESIDENCE), [w for w, _ in RESIDENCE.values()])
        self.culture = {c: _table(list(ws), list(ws.values())) for c, (_, ws) in RESIDENCE.items()}
        self.cities = {c: _table(range(len(v)), [x[1] for x in v]) for c, v in CITIES.items()}
        self.area = {city: area for city, _w, _p, area in CITIES["DE"]}
        self.nationality = {c: _table(list(ws), list(ws.values())) for c, ws in NATIONALITY.items()}
        self.streets = {
            k: (style, _names(starts), _names(ends), join)
            for k, (style, starts, ends, join) in STREETS.items()
        }
        self.records_per_person = _table(
            list(RECORDS_PER_PERSON), list(RECORDS_PER_PERSON.values())
        )
        self.household_size = _table(list(HOUSEHOLD_SIZE), list(HOUSEHOLD_SIZE.values()))
        self.source_cum = list(accumulate(SOURCE_WEIGHTS))
        self.common_q = (
            COMMON_SHARE
            * sum(k * w for k, w in HOUSEHOLD_SIZE.items())
            / sum(HOUSEHOLD_SIZE.values())
        )
        self.people = 0
        self.builders: dict[str, Callable[[Person, Rates, Address], Row]] = {
            "registry": self.registry_row,
            "bank": self.bank_row,
            "telecom": self.telecom_row,
            "police": self.police_row,
        }

    # -- helpers ----------------------------------------------------------------------

    def pick(self, table: Table[T]) -> T:
        items, cum, total = table
        return items[bisect(cum, self.rnd() * total)]

    def digits(self, n: int) -> str:
        return str(int(self.rnd() * 10**n)).zfill(n)

    def fill(self, pattern: str) -> str:
        rnd = self.rnd
        out = []
        for ch in pattern:
            if ch == "#":
                out.append(str(int(rnd() * 10)))
            elif ch == "@":
                out.append(UPPER[int(rnd() * len(UPPER))])
            else:
                out.append(ch)
        return "".join(out)

    def to_ascii(self, name: str) -> str:
        folded = self.ascii.get(name)
        if folded is None:
            folded = name.translate(STRIP)
            self.ascii[name] = folded
        return folded

    def typo(self, text: str) -> str:
        n = len(text)
        if n < 3:
            return text
        rnd = self.rnd
        i = 1 + int(rnd() * (n - 1))
        op = int(rnd() * 4)
        char = LETTERS[int(rnd() * 26)]
        if op == 0:
            return text[:i] + char + text[i:]
        if op == 1:
            return text[:i] + text[i + 1 :]
        if op == 2:
            return text[:i] + char + text[i + 1 :]
        i = min(i, n - 2)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]

    # -- population -------------------------------------------------------------------

    def address(self, country: str) -> Address:
        rnd = self.rnd
        city_name, _w, postcodes, _area = CITIES[country][self.pick(self.cities[country])]
        postcode = self.fill(postcodes[int(rnd() * len(postcodes))])
        style, starts, ends, join = self.streets[STREET_STYLE[country]]
        start = starts[int(rnd() * len(starts))]
        end = ends[int(rnd() * len(ends))]
        if join == "pre":
            street = f"{end} {start}"
        elif start.endswith("-"):  # "Friedrich-Ebert-" + "Straße"
            street = start + end[0].upper() + end[1:]
        else:
            street = start + join + end
        number = str(1 + int(rnd() ** 2 * 180))
        if rnd() < 0.08:
            number += "abc"[int(rnd() * 3)]
        return Address(street, number, postcode, city_name, country, style)

    def mobile(self, country: str) -> tuple[str, str, str]:
        code, prefixes, length = MOBILE[country]
        prefix = prefixes[int(self.rnd() * len(prefixes))]
        if country == "DE" and prefix[:2] in ("16", "17") and self.rnd() < 0.3:
            length = 7
        return code, prefix, str(2 + int(self.rnd() * 8)) + self.digits(length - 1)

    def landline(self, address: Address) -> tuple[str, str, str] | None:
        area = self.area.get(address.city) if address.country == "DE" else None
        if not area:
            return None
        length = 7 if len(area) == 2 else 6 if len(area) == 3 else 5
        if self.rnd() < 0.4:
            length += 1
        return "49", area, str(2 + int(self.rnd() * 8)) + self.digits(length - 1)

    def national_id(self, country: str) -> str:
        rnd = self.rnd
        if country == "DE":
            return "".join(ID_CHARS[int(rnd() * len(ID_CHARS))] for _ in range(9))
        if country in ("AT", "CH", "NL", "ES", "PL"):
            letter = UPPER[int(rnd() * len(UPPER))]
            return letter + self.digits(7) + UPPER[int(rnd() * len(UPPER))]
        return self.digits(11)

    def email(self, given: str, family: str, year: int, country: str) -> str:
        rnd = self.rnd
        g = self.to_ascii(given).lower().replace(" ", "").replace("'", "")
        f = self.to_ascii(family).lower().replace(" ", "").replace("'", "")
        style = int(rnd() * 6)
        if style == 0:
            local = f"{g}.{f}"
        elif style == 1:
            local = f"{g[0]}.{f}"
        elif style == 2:
            local = f"{g}{f}{year % 100:02d}"
        elif style == 3:
            local = f"{f}.{g}"
        elif style == 4:
            local = f"{g}_{f}{int(rnd() * 100)}"
        else:
            local = f"{g}{year}"
        domains = EMAIL_DOMAINS[country]
        return f"{local}@{domains[int(rnd() * len(domains))]}"

    def birth(self, lo: int, hi: int) -> tuple[int, int, int]:
        rnd = self.rnd
        year = lo + int(rnd() * (hi - lo + 1))
        month = 1 + int(rnd() * 12)
        return year, month, 1 + int(rnd() * DAYS[month])

    def household(self) -> list[Person]:
        rnd = self.rnd
        country = self.pick(self.residence)
        culture = self.pick(self.culture[country])
        size = self.pick(self.household_size)
        common = None
        draw = rnd()
        if draw < self.common_q * len(COMMON_NAMES):
            common = COMMON_NAMES[int(draw / self.common_q)]
            culture = common[3]
        family = common[1] if common else self.pick(self.family[culture])
        address = self.address(country)
        old = self.address(country) if rnd() < self.base.moved else None
        landline = self.landline(address) if rnd() < 0.3 else None
        people: list[Person] = []
        head_year = 0
        last_child: Person | None = None
        for index in range(size):
            child = False
            if index == 0:
                gender = common[2] if common else ("m" if rnd() < 0.5 else "f")
                year, month, day = self.birth(1940, 2004)
                head_year = year
            elif index == 1 and (size == 2 or rnd() < 0.8):  # partner
                gender = "f" if people[0].gender == "m" else "m"
                year, month, day = self.birth(max(1935, head_year - 6), min(2006, head_year + 6))
            else:
                child = True
                gender = "m" if rnd() < 0.5 else "f"
                if head_year + 20 <= 2008:
                    year, month, day = self.birth(head_year + 20, min(2008, head_year + 42))
                else:  # siblings or flatmates of about the same age
                    year, month, day = self.birth(head_year - 5, head_year + 5)
                if last_child is not None and rnd() < 0.05:  # twins
                    year, month, day = last_child.year, last_child.month, last_child.day
            if index == 0 and common:
                given = common[0]
            elif child and gender == "m" and people[0].gender == "m" and rnd() < 0.05:
                given = people[0].given  # junior: same name as the father
            else:
                given = self.pick(self.given[culture][0 if gender == "m" else 1])
                if rnd() < 0.1:  # given names from another culture
                    other = self.pick(self.culture["DE"])
                    given = self.pick(self.given[other][0 if gender == "m" else 1])
            middle = ""
            if rnd() < 0.08:
                middle = self.pick(self.given[culture][0 if gender == "m" else 1])
                if middle == given:
                    middle = ""
            surname = family
            if index == 1 and rnd() < 0.2:  # partners who kept their own name
                surname = self.pick(self.family[culture])
            if gender == "f":
                surname = _feminine(surname, culture)
            nat = self.pick(self.nationality[culture]) or country.lower()
            phones = []
            if rnd() < 0.88:
                phones.append(self.mobile(country))
            if landline and (not phones or rnd() < 0.5):
                phones.append(landline)
            elif phones and rnd() < 0.1:
                phones.append(self.mobile(country))
            email = self.email(given, surname, year, country) if rnd() < 0.72 else ""
            nid = self.national_id(country) if rnd() < 0.55 else ""
            self.people += 1
            addresses = [address] if old is None else [address, old]
            person = Person(f"P{self.people:08d}", given, middle, surname, gender, year, month,
                            day, culture, nat, nid, email, phones, addresses)  # fmt: skip
            people.append(person)
            if child:
                last_child = person
        return people

    def sources_for(self, count: int) -> list[int]:
        rnd, cum, dup = self.rnd, self.source_cum, self.base.duplicate
        total = cum[-1]
        chosen: list[int] = []
        while len(chosen) < count:
            source = bisect(cum, rnd() * total)
            if source not in chosen or len(set(chosen)) == len(SOURCES) or rnd() < dup:
                chosen.append(source)
        return chosen

    def run(self, records: int, emit: Callable[[int, str, Row], None]) -> None:
        written = 0
        rnd = self.rnd
        builders = [self.builders[s] for s in SOURCES]
        rates = [self.rates[s] for s in SOURCES]
        while written < records:
            for person in self.household():
                count = min(self.pick(self.records_per_person), records - written)
                if count <= 0:
                    break
                sources = self.sources_for(count)
                moved = len(person.addresses) > 1
                for index, source in enumerate(sources):
                    address = person.addresses[0]
                    if moved:  # the first two records show both addresses, the rest at random
                        current = index == 0 if index < 2 else rnd() < 0.5
                        address = person.addresses[0 if current else 1]
                    emit(source, person.pid, builders[source](person, rates[source], address))
                written += count

    # -- record fields ----------------------------------------------------------------

    def names(self, p: Person, r: Rates) -> tuple[str, str]:
        rnd = self.rnd
        given = p.given
        nicknames = NICKNAMES.get(given)
        if nicknames and rnd() < r.nickname:
            given = nicknames[int(rnd() * len(nicknames))]
        elif rnd() < r.translit:
            variants = self.variants.get(given)
            if variants:
                given = variants[int(rnd() * len(variants))]
        family = p.family
        if rnd() < r.translit:
            variants = self.variants.get(family)
            if variants:
                family = variants[int(rnd() * len(variants))]
        if p.middle and rnd() < 0.5:
            given = f"{given} {p.middle}"
        if rnd() < r.initial:
            given = given[0] + "."
        elif rnd() < r.typo_given:
            given = self.typo(given)
        if rnd() < r.typo_family:
            family = self.typo(family)
        if rnd() < r.swap:
            given, family = family, given
        if rnd() < r.missing_given:
            given = ""
        return given, family

    def birth_date(self, p: Person, r: Rates) -> tuple[int, int, int] | None:
        rnd = self.rnd
        if rnd() < r.missing_birth:
            return None
        year, month, day = p.year, p.month, p.day
        if rnd() < r.birth_error:
            kind = int(rnd() * 4)
            if kind == 0 and day <= 12 and day != month:
                day, month = month, day
            elif kind == 1:
                day = day % 10 + 10 * ((day // 10 + 1) % 3) or 1  # tens digit off
                day = min(day, DAYS[month])
            elif kind == 2:
                year += 1 if rnd() < 0.5 else -1
            else:
                day = day // 10 * 10 + (day % 10 + 1) % 10 or 1  # units digit off
                day = min(day, DAYS[month])
        return year, month, day

    def phone(self, p: Person, r: Rates, local_ok: bool) -> str:
        rnd = self.rnd
        if not p.phones or rnd() < r.missing_phone:
            return ""
        code, area, number = p.phones[int(rnd() * len(p.phones))]
        style = int(rnd() * 8)
        if code == "49" and local_ok and style < 4:
            if style == 0:
                return f"0{area} {number}"
            if style == 1:
                return f"0{area}/{number}"
            if style == 2:
                return f"0{area}-{number}"
            return f"(0{area}) {number}"
        if style == 4:
            return f"+{code}{area}{number}"
        if style == 5:
            return f"00{code} {area} {number}"
        if style == 6 and code in ("49", "43", "41"):
            return f"+{code} (0){area} {number}"
        if style == 7:
            return f"+{code} {area} {number[:-4]} {number[-4:]}"
        return f"+{code} {area} {number}"

    def street(self, a: Address, r: Rates) -> str:
        street = a.street
        if self.rnd() < r.abbreviate_street:
            if street.endswith("straße"):
                street = street[:-6] + ("str." if self.rnd() < 0.7 else "strasse")
            elif street.endswith("Straße"):
                street = street[:-6] + "Str."
            elif street.endswith(" Street"):
                street = street[:-7] + " St"
            elif street.endswith(" Road"):
                street = street[:-5] + " Rd"
            elif street.startswith("Calle "):
                street = "C/ " + street[6:]
        if self.rnd() < r.typo_street:
            street = self.typo(street)
        return street

    def one_line(self, a: Address, r: Rates) -> str:
        street = self.street(a, r)
        if a.style == "en":
            return f"{a.number} {street}, {a.city} {a.postcode}"
        return f"{street} {a.number}, {a.postcode} {a.city}"

    def id_value(self, p: Person, r: Rates) -> str:
        if not p.national_id or self.rnd() < r.missing_id:
            return ""
        if self.rnd() < r.typo_id:
            i = int(self.rnd() * len(p.national_id))
            return p.national_id[:i] + ID_CHARS[int(self.rnd() * 17)] + p.national_id[i + 1 :]
        return p.national_id

    def registry_row(self, p: Person, r: Rates, a: Address) -> Row:
        given, family = self.names(p, r)
        name = f"{family}, {given}" if given else family
        birth = self.birth_date(p, r)
        gender = "" if self.rnd() < 0.02 else ("M" if p.gender == "m" else "F")
        return [
            name,
            f"{birth[2]:02d}.{birth[1]:02d}.{birth[0]}" if birth else "",
            gender,
            self.street(a, r),
            a.number,
            a.postcode,
            a.city,
            a.country,
            self.id_value(p, r),
        ]

    def bank_row(self, p: Person, r: Rates, a: Address) -> Row:
        rnd = self.rnd
        given, family = self.names(p, r)
        birth = self.birth_date(p, r)
        street = self.street(a, r)
        line = f"{a.number} {street}" if a.style == "en" else f"{street} {a.number}"
        email = p.email if p.email and rnd() >= r.missing_email else ""
        account = ""
        if rnd() < 0.7:
            bank, acct = self.digits(8), self.digits(10)
            check = 98 - int(f"{bank}{acct}131400") % 97
            account = f"DE{check:02d}{bank}{acct}"
            if rnd() < 0.4:
                account = " ".join(account[i : i + 4] for i in range(0, len(account), 4))
        return [
            given,
            family,
            f"{birth[0]}-{birth[1]:02d}-{birth[2]:02d}" if birth else "",
            self.phone(p, r, local_ok=False),
            email,
            line,
            a.postcode,
            a.city,
            COUNTRY_NAMES[a.country],
            account,
        ]

    def telecom_row(self, p: Person, r: Rates, a: Address) -> Row:
        rnd = self.rnd
        given, family = self.names(p, r)
        address = "" if rnd() < r.missing_address else self.one_line(a, r)
        if address and rnd() < r.translit:
            address = address.translate(GERMAN if rnd() < 0.5 else STRIP)
        subscriber = f"{given} {family}" if given else family
        if rnd() < r.translit:
            subscriber = subscriber.translate(GERMAN if rnd() < 0.5 else STRIP)
        return [subscriber, self.phone(p, r, local_ok=True), address]

    def police_row(self, p: Person, r: Rates, a: Address) -> Row:
        rnd = self.rnd
        given, family = self.names(p, r)
        if rnd() < 0.6:
            family = family.upper()
        birth = self.birth_date(p, r)
        if birth is None:
            dob = ""
        else:
            precision = rnd()
            if precision < 0.7:
                dob = f"{birth[0]}-{birth[1]:02d}-{birth[2]:02d}"
            elif precision < 0.9:
                dob = f"{birth[0]}-{birth[1]:02d}"
            else:
                dob = str(birth[0])
        address = "" if rnd() < r.missing_address * 3 else self.one_line(a, r)
        if address and rnd() < 0.5:
            address = address.upper()
        sex = "" if rnd() < 0.03 else ("male" if p.gender == "m" else "female")
        document = self.id_value(p, r) if rnd() < 0.5 else ""
        return [family, given, dob, sex, ISO3[p.nationality], address, document]


# --------------------------------------------------------------------------------------
# Output

HEADERS = {
    "registry": ["record_id", "name", "birth_date", "gender", "street", "house_number",
                 "postcode", "city", "country", "national_id"],
    "bank": ["record_id", "given_name", "family_name", "birth_date", "phone", "email",
             "address_line", "zip", "city", "country", "account"],
    "telecom": ["record_id", "subscriber", "msisdn", "address"],
    "police": ["record_id", "surname", "forenames", "date_of_birth", "sex", "nationality",
               "address", "id_document"],
}  # fmt: skip
ID_FORMAT = {"registry": "MR{:08d}", "bank": "C{:09d}", "telecom": "SUB-{:08d}",
             "police": "VG-{:08d}"}  # fmt: skip

MAPPINGS = {
    "registry": """\
    # Residents' register: "Family, Given" in one column, dd.mm.yyyy, address in parts.
    - csv_url: registry.csv
      delimiter: ","
      encoding: utf-8
      entities:
        person:
          schema: Person
          keys: [record_id]
          properties:
            name: {column: name}
            birthDate: {column: birth_date, format: "%d.%m.%Y"}
            gender: {column: gender}
            address: {template: "{{street}} {{house_number}}, {{postcode}} {{city}}"}
            country: {column: country}
            idNumber: {column: national_id}
""",
    "bank": """\
    # Bank customers: given and family name columns, ISO dates, international phones.
    # The account column (IBAN) is not mapped: a Person has no account property.
    - csv_url: bank.csv
      delimiter: ","
      encoding: utf-8
      entities:
        person:
          schema: Person
          keys: [record_id]
          properties:
            name: {template: "{{given_name}} {{family_name}}"}
            firstName: {column: given_name}
            lastName: {column: family_name}
            birthDate: {column: birth_date}
            phone: {column: phone, format: de}
            email: {column: email}
            address: {template: "{{address_line}}, {{zip}} {{city}}"}
            country: {column: country}
""",
    "telecom": """\
    # Telecom subscribers: "Given Family" in one column, phones often in German local format.
    - csv_url: telecom.csv
      delimiter: ","
      encoding: utf-8
      entities:
        person:
          schema: Person
          keys: [record_id]
          properties:
            name: {column: subscriber}
            phone: {column: msisdn, format: de}
            address: {column: address}
""",
    "police": """\
    # Police records: birth dates to the day, month or year (ISO), nationality as alpha-3.
    - csv_url: police.csv
      delimiter: ","
      encoding: utf-8
      entities:
        person:
          schema: Person
          keys: [record_id]
          properties:
            name: {template: "{{forenames}} {{surname}}"}
            firstName: {column: forenames}
            lastName: {column: surname}
            birthDate: {column: date_of_birth}
            gender: {column: sex}
            nationality: {column: nationality}
            address: {column: address}
            idNumber: {column: id_document}
""",
}


class Buckets:
    """Rows spread at random over bucket files per source, then shuffled bucket by bucket."""

    def __init__(self, out: Path, count: int, rng: random.Random) -> None:
        self.out = out
        self.count = count
        self.rng = rng
        self.files: list[list[TextIO]] = []
        self.writers: list[list[Callable[[Sequence[str]], object]]] = []
        for source in SOURCES:
            handles = [
                (out / f".{source}.{b}.part").open("w", encoding="utf-8", newline="")
                for b in range(count)
            ]
            self.files.append(handles)
            self.writers.append([csv.writer(h, lineterminator="\n").writerow for h in handles])
        self.rows = [0] * len(SOURCES)

    def emit(self, source: int, pid: str, row: Row) -> None:
        self.rows[source] += 1
        self.writers[source][int(self.rng.random() * self.count)]([pid, *row])

    def finish(self) -> list[Path]:
        for handles in self.files:
            for handle in handles:
                handle.close()
        written = []
        with (self.out / "truth.csv").open("w", encoding="utf-8", newline="") as truth:
            truth.write("source,record_id,person_id\n")
            for index, source in enumerate(SOURCES):
                path = self.out / f"{source}.csv"
                id_format = ID_FORMAT[source]
                number = 0
                with path.open("w", encoding="utf-8", newline="") as fh:
                    fh.write(",".join(HEADERS[source]) + "\n")
                    for b in range(self.count):
                        part = self.out / f".{source}.{b}.part"
                        with part.open(encoding="utf-8", newline="") as src:
                            lines = src.readlines()
                        part.unlink()
                        self.rng.shuffle(lines)
                        out_lines = []
                        truth_lines = []
                        for line in lines:
                            pid, rest = line.split(",", 1)
                            number += 1
                            record_id = id_format.format(number)
                            out_lines.append(f"{record_id},{rest}")
                            truth_lines.append(f"{source},{record_id},{pid}\n")
                        fh.writelines(out_lines)
                        truth.writelines(truth_lines)
                assert number == self.rows[index]
                written.append(path)
        return written


STATS: dict[str, int] = {}  # counts of the last generate() call


def write_mapping(out: Path, source: str, records: int, seed: int) -> Path:
    path = out / f"{source}.yml"
    path.write_text(
        f"# FollowTheMoney mapping for the synthetic '{source}' source.\n"
        f"# GENERATED by benchmarks/people_gen.py (--records {records} --seed {seed}).\n"
        f"{source}:\n  queries:\n{MAPPINGS[source]}",
        encoding="utf-8",
    )
    return path


def generate(
    records: int, seed: int, out: Path, noise: float = 1.0, rates: Rates | None = None
) -> list[Path]:
    """Write the four source CSVs, their mappings and truth.csv; return the mappings."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    generator = Generator(rng, (rates or Rates()).scaled(noise))
    buckets = Buckets(out, max(1, min(64, records // 40000)), rng)
    try:
        generator.run(records, buckets.emit)
    finally:
        buckets.finish()
    STATS.clear()
    STATS.update(records=records, people=generator.people)
    STATS.update(zip(SOURCES, buckets.rows, strict=True))
    return [write_mapping(out, source, records, seed) for source in SOURCES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="records in all sources")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--noise", type=float, default=1.0, help="multiply every corruption rate (default 1)"
    )
    args = parser.parse_args(argv)
    if args.records < 1:
        parser.error("--records must be positive")
    start = time.perf_counter()
    mappings = generate(args.records, args.seed, args.out, noise=args.noise)
    stats = STATS
    elapsed = time.perf_counter() - start
    per_source = ", ".join(f"{s} {stats[s]}" for s in SOURCES)
    print(
        f"{stats['records']} records of {stats['people']} people ({per_source}) "
        f"in {elapsed:.1f}s -> {args.out}",
        file=sys.stderr,
    )
    for path in mappings:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
