// The starting set of budget tips: content, not code. Seeded into BudgetTip on first use (only the keys
// that are missing, so texts edited later in the admin panel are kept) and editable from then on.
// `category` is a budget category key, "income" (ways to raise income, shown when expenses exceed
// income) or "any" (general).

export type SeedTip = { key: string; category: string; texts: { it: string; en: string } };

export const SEED_TIPS: readonly SeedTip[] = [
  // ─── Rent ───
  {
    key: "rent_pay_first",
    category: "rent",
    texts: {
      it: "Quando arrivano i soldi, metti da parte subito l'affitto, prima delle altre spese: è la spesa che protegge la casa.",
      en: "When money comes in, set the rent aside first, before anything else: it is the cost that protects your home.",
    },
  },
  {
    key: "rent_income_declaration",
    category: "rent",
    texts: {
      it: "Consegna ogni anno ad ALER la dichiarazione dei redditi che ti chiede (anagrafe utenza): se manca, il canone sale alla fascia più alta. Se il reddito è sceso, il canone può scendere.",
      en: "Every year, hand in the income declaration ALER asks for (anagrafe utenza): without it the rent goes up to the highest rate. If your income has dropped, the rent can go down.",
    },
  },
  {
    key: "rent_talk_early",
    category: "rent",
    texts: {
      it: "Se un mese non riesci a pagare tutto l'affitto, parlane subito con il tuo operatore (/operator): un piano di rientro con rate piccole è meglio di un debito che cresce.",
      en: "If one month you cannot pay all the rent, tell your case worker straight away (/operator): a repayment plan with small instalments is better than a growing debt.",
    },
  },
  {
    key: "rent_solidarity_grant",
    category: "rent",
    texts: {
      it: "Chiedi al tuo operatore del contributo di solidarietà della Regione: un aiuto una tantum (fino a circa 1.200 €) per chi paga l'affitto corrente e segue un percorso verso il lavoro.",
      en: "Ask your case worker about the Region's solidarity grant (contributo di solidarietà): one-off help of up to about 1,200 € for families who pay the current rent and follow a path towards work.",
    },
  },
  // ─── Service charges ───
  {
    key: "charges_ask_detail",
    category: "service_charges",
    texts: {
      it: "Le spese (riscaldamento, pulizia scale, luce comune, ascensore) sono nel bollettino ALER. Se un importo non ti torna, chiedi il dettaglio allo sportello: è un tuo diritto.",
      en: "Service charges (heating, stair cleaning, common lighting, lift) are in the ALER bill. If an amount looks wrong, ask the office for the breakdown: it is your right.",
    },
  },
  {
    key: "charges_heating",
    category: "service_charges",
    texts: {
      it: "Con le valvole sui termosifoni, in casa bastano 19–20 °C: ogni grado in meno fa risparmiare circa il 6–7% di energia. Non coprire i termosifoni con panni o mobili.",
      en: "If your radiators have valves, 19–20 °C at home is enough: each degree less saves about 6–7% of energy. Do not cover radiators with clothes or furniture.",
    },
  },
  // ─── Utilities ───
  {
    key: "utilities_social_bonus",
    category: "utilities",
    texts: {
      it: "Con un ISEE fino a 9.530 € (20.000 € con almeno 4 figli a carico) hai il bonus sociale su luce, gas e acqua. Arriva da solo in bolletta: basta rifare ogni anno la DSU per l'ISEE, gratis al CAF.",
      en: "With an ISEE up to 9,530 € (20,000 € with at least 4 dependent children) you get the social bonus on electricity, gas and water. It comes automatically in the bills: just renew the DSU for your ISEE every year, free at a CAF.",
    },
  },
  {
    key: "utilities_habits",
    category: "utilities",
    texts: {
      it: "Lavatrice a pieno carico e a 30–40 °C, lampadine LED, niente apparecchi in stand-by (una presa multipla con interruttore aiuta): sono euro risparmiati ogni mese.",
      en: "Full loads in the washing machine at 30–40 °C, LED bulbs, nothing left on stand-by (a power strip with a switch helps): that is money saved every month.",
    },
  },
  {
    key: "utilities_instalments",
    category: "utilities",
    texts: {
      it: "Se una bolletta è troppo alta, chiama il fornitore prima della scadenza e chiedi di pagarla a rate. Per un conguaglio molto più alto del solito, la rateizzazione è un tuo diritto.",
      en: "If a bill is too high, call the supplier before it is due and ask to pay in instalments. For a catch-up bill much higher than usual, paying in instalments is your right.",
    },
  },
  {
    key: "utilities_compare_offers",
    category: "utilities",
    texts: {
      it: "Confronta le offerte di luce e gas sul Portale Offerte di ARERA (ilportaleofferte.it): è pubblico e gratuito, e non ti chiama nessun venditore.",
      en: "Compare electricity and gas offers on ARERA's public comparison site (ilportaleofferte.it): it is free and no salesperson will call you.",
    },
  },
  // ─── Phone and internet ───
  {
    key: "phone_cheaper_plan",
    category: "phone_internet",
    texts: {
      it: "Molte offerte per il cellulare con minuti illimitati e tanti giga costano meno di 10 € al mese. Puoi cambiare operatore tenendo lo stesso numero, gratis.",
      en: "Many mobile plans with unlimited minutes and plenty of data cost less than 10 € a month. You can switch provider and keep your number, for free.",
    },
  },
  {
    key: "phone_premium_block",
    category: "phone_internet",
    texts: {
      it: "Se il credito sparisce senza motivo, chiedi al tuo operatore telefonico il blocco dei servizi a pagamento (abbonamenti, giochi, oroscopo): è gratuito.",
      en: "If your credit disappears for no reason, ask your phone company to block paid services (subscriptions, games, horoscopes): it is free.",
    },
  },
  {
    key: "phone_free_wifi",
    category: "phone_internet",
    texts: {
      it: "Per i video e gli aggiornamenti usa il Wi-Fi gratuito delle biblioteche comunali, invece di comprare giga in più.",
      en: "For videos and updates, use the free Wi-Fi at public libraries instead of buying extra data.",
    },
  },
  // ─── Transport ───
  {
    key: "transport_pass",
    category: "transport",
    texts: {
      it: "Se prendi l'autobus più volte a settimana, l'abbonamento costa meno dei biglietti singoli. Chiedi in Comune o all'azienda dei trasporti se ci sono tariffe ridotte con ISEE basso.",
      en: "If you take the bus several times a week, a pass costs less than single tickets. Ask the town hall or the bus company about reduced fares for families with a low ISEE.",
    },
  },
  {
    key: "transport_car",
    category: "transport",
    texts: {
      it: "Per l'auto: controlla la pressione delle gomme, confronta i prezzi del carburante con le app gratuite e, per i tragitti brevi, prova a piedi o in bicicletta.",
      en: "For the car: check the tyre pressure, compare fuel prices with free apps and, for short trips, try walking or cycling.",
    },
  },
  // ─── Health ───
  {
    key: "health_ticket_exemption",
    category: "health",
    texts: {
      it: "Se sei disoccupato o hai un reddito basso puoi essere esente dal ticket sanitario (per esempio con il codice E02 per chi è disoccupato). Chiedi al medico di base o all'ASST.",
      en: "If you are unemployed or on a low income you may not have to pay the health ticket (for example exemption code E02 for the unemployed). Ask your GP or the ASST.",
    },
  },
  {
    key: "health_generic_medicines",
    category: "health",
    texts: {
      it: "In farmacia chiedi il farmaco equivalente (generico): stesso principio attivo, stessa efficacia, e spesso costa meno.",
      en: "At the pharmacy, ask for the equivalent (generic) medicine: same active ingredient, same effect, and often cheaper.",
    },
  },
  {
    key: "health_family_clinic",
    category: "health",
    texts: {
      it: "Il consultorio familiare offre visite e consulenze gratuite per donne, coppie e bambini, senza impegnativa del medico.",
      en: "The family clinic (consultorio familiare) offers free visits and advice for women, couples and children, without a doctor's referral.",
    },
  },
  // ─── School and children ───
  {
    key: "children_single_allowance",
    category: "school_children",
    texts: {
      it: "L'Assegno unico spetta per ogni figlio fino a 21 anni: si chiede all'INPS, anche con l'aiuto gratuito di un patronato. Rifai l'ISEE ogni anno, altrimenti ricevi solo l'importo minimo.",
      en: "The Assegno unico (child benefit) is paid for every child up to 21: apply to INPS, also with free help from a patronato. Renew your ISEE every year, or you only get the minimum amount.",
    },
  },
  {
    key: "children_school_grant",
    category: "school_children",
    texts: {
      it: "Per libri e materiale scolastico c'è la Dote Scuola di Regione Lombardia per le famiglie con ISEE basso. In Comune chiedi anche la tariffa ridotta per mensa e scuolabus.",
      en: "For school books and supplies there is the Dote Scuola grant from Regione Lombardia for families with a low ISEE. At the town hall, also ask for reduced prices for school meals and the school bus.",
    },
  },
  {
    key: "children_second_hand",
    category: "school_children",
    texts: {
      it: "Libri usati, mercatini e scambi tra famiglie fanno risparmiare molto su libri, zaini e vestiti per i bambini.",
      en: "Second-hand books, flea markets and swaps between families save a lot on books, school bags and children's clothes.",
    },
  },
  // ─── Insurance ───
  {
    key: "insurance_compare",
    category: "insurance",
    texts: {
      it: "L'assicurazione dell'auto non si rinnova da sola: prima della scadenza confronta i preventivi (anche online), puoi risparmiare molto.",
      en: "Car insurance in Italy does not renew by itself: before it expires, compare quotes (online too), you can save a lot.",
    },
  },
  {
    key: "insurance_unneeded",
    category: "insurance",
    texts: {
      it: "Controlla se paghi polizze legate a prestiti, carte o conti che non ti servono: spesso non sono obbligatorie e si possono disdire.",
      en: "Check whether you pay for insurance tied to loans, cards or accounts that you do not need: often it is not compulsory and can be cancelled.",
    },
  },
  // ─── Loan repayments ───
  {
    key: "loans_talk_early",
    category: "loans",
    texts: {
      it: "Se non riesci a pagare una rata, parla subito con la banca o la finanziaria: si può chiedere di allungare il prestito o di sospendere qualche rata. Aspettare fa crescere interessi e spese.",
      en: "If you cannot pay an instalment, talk to the bank or lender straight away: you can ask to stretch the loan or pause some payments. Waiting makes interest and fees grow.",
    },
  },
  {
    key: "loans_no_new_debt",
    category: "loans",
    texts: {
      it: "Attenzione ai 'prestiti facili' per pagare altri debiti: spesso costano molto. Prima di firmare, parlane con il tuo operatore (/operator).",
      en: "Be careful with 'easy loans' to pay other debts: they are often very expensive. Before signing, talk to your case worker (/operator).",
    },
  },
  {
    key: "loans_over_indebtedness",
    category: "loans",
    texts: {
      it: "Se i debiti sono diventati troppi, la legge prevede un aiuto: gli Organismi di composizione della crisi (OCC) aiutano a trovare un accordo con chi deve avere i soldi. Il tuo operatore può indirizzarti.",
      en: "If debts have become too many, the law offers help: the debt settlement bodies (Organismi di composizione della crisi, OCC) help reach an agreement with the creditors. Your case worker can point you to them.",
    },
  },
  // ─── Food and housekeeping ───
  {
    key: "food_local_markets",
    category: "food",
    texts: {
      it: "Al mercato rionale, verso la fine della mattinata, frutta e verdura costano spesso meno. Fai la lista prima di uscire e guarda i volantini delle offerte.",
      en: "At the local street market, towards the end of the morning, fruit and vegetables are often cheaper. Write a list before you go and check the special-offer leaflets.",
    },
  },
  {
    key: "food_price_per_kilo",
    category: "food",
    texts: {
      it: "Confronta il prezzo al chilo (è scritto piccolo sul cartellino): i prodotti con il marchio del supermercato costano meno e sono buoni.",
      en: "Compare the price per kilo (in small print on the shelf label): the supermarket's own brand costs less and is good.",
    },
  },
  {
    key: "food_help",
    category: "food",
    texts: {
      it: "Se fai fatica con la spesa, chiedi al tuo operatore degli empori solidali e della carta 'Dedicata a te' che il Comune dà alle famiglie con ISEE basso.",
      en: "If buying food is hard, ask your case worker about the solidarity food shops (empori solidali) and the 'Dedicata a te' card that the town hall gives to families with a low ISEE.",
    },
  },
  {
    key: "food_batch_cooking",
    category: "food",
    texts: {
      it: "Cucina una volta per due giorni e congela le porzioni in più: meno sprechi e meno spesa.",
      en: "Cook once for two days and freeze the extra portions: less waste and less shopping.",
    },
  },
  // ─── Personal care and clothing ───
  {
    key: "clothing_second_hand",
    category: "personal_clothing",
    texts: {
      it: "Per i vestiti, soprattutto dei bambini che crescono in fretta, prova i mercatini dell'usato, gli scambi tra famiglie e i negozi solidali della Caritas.",
      en: "For clothes, especially for children who grow fast, try second-hand markets, swaps between families and the Caritas charity shops.",
    },
  },
  {
    key: "clothing_list",
    category: "personal_clothing",
    texts: {
      it: "Ai saldi compra solo quello che avevi già in lista: un affare che non serve è comunque una spesa.",
      en: "At the sales, buy only what was already on your list: a bargain you do not need is still money spent.",
    },
  },
  // ─── Leisure ───
  {
    key: "leisure_free_culture",
    category: "leisure",
    texts: {
      it: "La prima domenica del mese i musei statali sono gratis. Le biblioteche comunali prestano libri, film e giochi senza pagare.",
      en: "On the first Sunday of the month, state museums are free. Public libraries lend books, films and games at no cost.",
    },
  },
  {
    key: "leisure_subscriptions",
    category: "leisure",
    texts: {
      it: "Controlla gli abbonamenti (TV, streaming, app, palestra): disdici quelli che usate poco. Sono piccole spese che tornano ogni mese.",
      en: "Check your subscriptions (TV, streaming, apps, gym): cancel the ones you hardly use. They are small costs that come back every month.",
    },
  },
  // ─── Other ───
  {
    key: "other_small_buffer",
    category: "other",
    texts: {
      it: "Prova a mettere da parte anche poco, per esempio 5 € a settimana: in un anno sono 260 € per le spese che non ti aspetti.",
      en: "Try to put a little aside, for example 5 € a week: in a year that is 260 € for costs you do not expect.",
    },
  },
  {
    key: "other_small_spending",
    category: "other",
    texts: {
      it: "Segna anche le piccole spese di tutti i giorni: sommate, a fine mese, a volte sono una sorpresa.",
      en: "Log the small everyday costs too: added up at the end of the month, they are sometimes a surprise.",
    },
  },
  // ─── Raising income (shown when expenses exceed income) ───
  {
    key: "income_inclusion_allowance",
    category: "income",
    texts: {
      it: "L'Assegno di inclusione è per le famiglie con ISEE basso in cui vive un minore, una persona con disabilità, una persona con più di 60 anni o seguita dai servizi sociali. Si chiede all'INPS o a un patronato.",
      en: "The Assegno di inclusione is for families with a low ISEE that include a child, a person with a disability, someone over 60 or someone supported by social services. Apply to INPS or through a patronato.",
    },
  },
  {
    key: "income_paid_training",
    category: "income",
    texts: {
      it: "Corsi e tirocini pagati possono aumentare le entrate della famiglia: guarda /courses o chiedi al tuo operatore.",
      en: "Paid courses and traineeships can raise your family's income: look at /courses or ask your case worker.",
    },
  },
  // ─── General ───
  {
    key: "any_isee",
    category: "any",
    texts: {
      it: "Un ISEE aggiornato apre la porta a molti aiuti: bonus bollette, Assegno unico, mensa, trasporti. Il CAF lo prepara gratis.",
      en: "An up-to-date ISEE opens the door to a lot of help: bill bonuses, Assegno unico, school meals, transport. A CAF prepares it for free.",
    },
  },
  {
    key: "any_keep_logging",
    category: "any",
    texts: {
      it: "Segnare entrate e spese per un mese intero è il modo migliore per capire dove vanno i soldi. Continua così!",
      en: "Logging income and expenses for a whole month is the best way to see where the money goes. Keep it up!",
    },
  },
  {
    key: "any_weekly_budget",
    category: "any",
    texts: {
      it: "Dividi i soldi del mese in quattro settimane: sai quanto puoi spendere ogni settimana e arrivi meglio a fine mese.",
      en: "Split the month's money into four weeks: you know how much you can spend each week and reach the end of the month more easily.",
    },
  },
];
